// The phone remote. Plain browser JavaScript, no build step, served by the
// daemon. Every value shown comes from the daemon (its answers and its
// server-sent events), never from what the phone guessed, so two phones
// always show the same thing.
'use strict';

(function () {
  const boot = JSON.parse(document.getElementById('boot').textContent);
  const lang = /^zh\b/i.test(navigator.language || '') ? 'zh' : 'en';

  const WORDS = {
    en: {
      online: 'Online', offline: 'Offline — TV unreachable, retrying…', unpaired: 'Not paired', notPairedTitle: 'Not paired',
      volume: 'Volume', addressHint: 'rtmp://, rtmps://, http(s)://….flv', offerRtmp: 'No scheme given. Did you mean', useOffer: 'Use it',
      unknown: 'Unknown',
      notPairedText: 'Scan the QR code on the TV with this phone to control it.',
      status: 'Status', state: 'State', sound: 'Sound', playback: 'Playback', play: 'Play', stop: 'Stop',
      pause: 'Pause', resume: 'Resume', mute: 'Mute', unmute: 'Unmute', muted: 'Muted', audible: 'On',
      stream: 'Stream', address: 'Stream address', useAddress: 'Use this address', saveChannel: 'Save as channel',
      channelName: 'Channel name', channels: 'Channels', noChannels: 'No channels yet.', watch: 'Watch',
      rename: 'Rename', del: 'Delete', nameOf: 'Name of channel', picture: 'Picture', fullScreen: 'Full screen',
      fs0: 'Full screen', fs90: 'Full screen 90°', fsm90: 'Full screen −90°', fsExit: 'Exit full screen',
      fsOff: 'Off', fsOn: 'On, direction', orientation: 'Orientation', vertical: 'Vertical', horizontal: 'Horizontal',
      objectFit: 'Picture fit', contain: 'Whole picture (contain)', fillCrop: 'Fill the screen (crop)', mode: 'Mode',
      live: 'Live (smooth)', rtc: 'RTC (low delay)', snapshot: 'Snapshot', takeSnapshot: 'Take a snapshot',
      download: 'Download', snapAlt: 'Snapshot of the TV picture', network: 'Network (last minute)',
      bitrate: 'Bit rate', fps: 'Frame rate', delay: 'Live delay', phones: 'Phones',
      addPhone: 'Add another phone', addPhoneText: 'The TV shows a new pairing code in its corner for a minute; the lesson goes on.',
      addPhoneDone: 'Scan the code in the corner of the TV with the other phone.',
      forgetText: 'Every paired phone, this one included, must scan the TV again.', forget: 'Forget all phones',
      forgetConfirm: 'Forget every paired phone, this one included?', needName: 'Give the channel a name first.',
      needSrc: 'Enter a stream address first.', noCode: 'No status yet',
      states: { idle: 'Idle', connecting: 'Connecting', playing: 'Playing', paused: 'Paused', reconnecting: 'Reconnecting', stopped: 'Stopped', error: 'Error', waiting: 'Waiting for the stream' },
    },
    zh: {
      online: '已连接', offline: '无法连接电视，正在重试…', unpaired: '尚未配对', notPairedTitle: '尚未配对',
      volume: '音量', addressHint: 'rtmp://、rtmps://、http(s)://….flv', offerRtmp: '地址缺少协议。您是否要使用', useOffer: '使用',
      unknown: '未知',
      notPairedText: '请用这部手机扫描电视上的二维码以进行控制。',
      status: '状态', state: '播放状态', sound: '声音', playback: '播放', play: '播放', stop: '停止',
      pause: '暂停', resume: '继续', mute: '静音', unmute: '取消静音', muted: '已静音', audible: '开',
      stream: '直播流', address: '直播流地址', useAddress: '使用此地址', saveChannel: '存为频道',
      channelName: '频道名称', channels: '频道', noChannels: '还没有频道。', watch: '观看',
      rename: '重命名', del: '删除', nameOf: '频道名称：', picture: '画面', fullScreen: '全屏',
      fs0: '全屏', fs90: '全屏 90°', fsm90: '全屏 −90°', fsExit: '退出全屏',
      fsOff: '关', fsOn: '开，方向', orientation: '方向', vertical: '竖屏', horizontal: '横屏',
      objectFit: '画面填充', contain: '完整画面（contain）', fillCrop: '铺满屏幕（裁剪）', mode: '模式',
      live: '直播（流畅）', rtc: 'RTC（低延迟）', snapshot: '截图', takeSnapshot: '截图',
      download: '下载', snapAlt: '电视画面截图', network: '网络（最近一分钟）',
      bitrate: '码率', fps: '帧率', delay: '直播延迟', phones: '手机',
      addPhone: '添加其他手机', addPhoneText: '电视角落会显示新的配对二维码一分钟，不影响上课。',
      addPhoneDone: '请用另一部手机扫描电视角落的二维码。',
      forgetText: '所有已配对的手机（包括这部）都需要重新扫描电视。', forget: '忘记所有手机',
      forgetConfirm: '确定忘记所有已配对的手机（包括这部）吗？', needName: '请先填写频道名称。',
      needSrc: '请先填写直播流地址。', noCode: '暂无状态',
      states: { idle: '空闲', connecting: '正在连接', playing: '正在播放', paused: '已暂停', reconnecting: '正在重连', stopped: '已停止', error: '出错', waiting: '等待直播恢复' },
    },
  };
  const T = WORDS[lang];
  const $ = (id) => document.getElementById(id);

  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = T[el.dataset.i18n] ?? el.textContent;
  $('title').textContent = boot.name;
  document.title = `${boot.name} — ${lang === 'zh' ? '遥控' : 'remote'}`;
  $('snap-img').alt = T.snapAlt;

  /** What the daemon told us last. */
  const model = { attributes: null, state: 'idle', fullScreen: { fullScreen: false, direction: 0 }, lastCode: null, lastEvent: null, conn: 'offline' };

  // ---- words for errors: the advice table from src/player/messages.ts ----

  /** The advice for an errMsg (code null) or a status code; the same rules as adviceFor() in the daemon. */
  function advice(text, code) {
    for (const r of boot.messages || []) {
      if (r.codes ? code === null || !r.codes.includes(code) : code !== null) continue;
      const m = new RegExp(r.pattern, 'i').exec(text || '');
      if (!m) continue;
      return { id: r.id, text: r[lang].replace(/\$1/g, m[1] || '') };
    }
    return null;
  }

  // ---- talking to the daemon ----

  async function api(method, path, body) {
    const init = { method, credentials: 'same-origin', headers: {} };
    if (body !== undefined) {
      init.headers['content-type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    let res;
    try {
      res = await fetch(`/api/v1${path}`, init);
    } catch (err) {
      setConn('offline');
      throw err;
    }
    let data = null;
    try { data = await res.json(); } catch { /* empty or not JSON */ }
    if (res.status === 401) setConn('unpaired');
    if (!res.ok) throw new Error((data && data.errMsg) || `HTTP ${res.status}`);
    return data;
  }

  /** Shows what to do in the page's language; the raw errMsg stays in data-raw (and in the API). */
  function showError(id, err) {
    const raw = err ? String(err.message || err) : '';
    const a = raw ? advice(raw, null) : null;
    $(id).textContent = a ? a.text : raw;
    $(id).dataset.raw = raw;
    $(id).dataset.advice = a ? a.id : '';
  }

  /** Runs a control; its effect is shown when the daemon's event arrives, not before. */
  function control(button, errorId, fn) {
    button.addEventListener('click', async (ev) => {
      ev.preventDefault();
      showError(errorId, null);
      try { await fn(); } catch (err) { showError(errorId, err); }
    });
  }

  // ---- rendering ----

  function renderAttributes(a) {
    model.attributes = a;
    const muteBtn = $('btn-mute');
    muteBtn.setAttribute('aria-pressed', String(a.muted));
    muteBtn.textContent = a.muted ? T.unmute : T.mute;
    renderSound();
    if (document.activeElement !== $('src')) $('src').value = a.src;
    if (typeof a.volume === 'number') {
      if (!volumeDragging) $('volume').value = String(a.volume);
      $('volume').dataset.volume = String(a.volume);
    }
    renderSound();
    for (const k of ['orientation', 'objectFit', 'mode']) if (document.activeElement !== $(k)) $(k).value = a[k];
    for (const li of $('channels').children) li.classList.toggle('current', li.dataset.src === a.src);
    renderControls();
  }

  /** Sound and volume as last confirmed; "—" while the daemon cannot be asked. */
  function renderSound() {
    const a = model.attributes;
    const known = model.conn === 'online' && a;
    $('muted-state').textContent = known ? (a.muted ? T.muted : T.audible) : '—';
    $('muted-state').dataset.muted = known ? String(a.muted) : '';
    $('volume-value').textContent = known && typeof a.volume === 'number' ? `${a.volume}%` : '—';
  }

  function renderState(s) {
    model.state = s;
    renderStatus();
  }

  function renderCode(c) {
    model.lastCode = c;
    // Progress (2005) comes every second; the line keeps the last event that says something.
    if (c && c.code !== 2005) model.lastEvent = c;
    if (!c) model.lastEvent = null;
    renderStatus();
  }

  /**
   * The code shown must hold now: progress only while playing, the reason
   * while reconnecting, the end or the failure once stopped; nothing after
   * a plain stop, and nothing at all while the daemon cannot be asked.
   */
  function codeToShow() {
    const s = model.state;
    const c = model.lastCode;
    const e = model.lastEvent;
    if (model.conn !== 'online') return null;
    if (s === 'idle') return null;
    if (s === 'playing') return c;
    if (s === 'stopped') return e && e.code === 2006 ? e : null;
    if (s === 'error') return e && (e.code < 0 || e.code >= 3000) ? e : null;
    return e;
  }

  function renderStatus() {
    const known = model.conn === 'online';
    const s = known ? model.state : 'unknown';
    $('state').textContent = known ? T.states[s] || s : T.unknown;
    $('state').dataset.state = s;
    const c = codeToShow();
    $('code-line').dataset.code = c ? String(c.code) : '';
    if (!c) {
      $('code').textContent = '—';
      $('code').classList.remove('bad');
      $('code-words').textContent = known && model.state === 'idle' ? T.noCode : '';
    } else {
      const words = boot.codes[c.code];
      $('code').textContent = String(c.code);
      $('code').classList.toggle('bad', c.code < 0 || c.code >= 3000);
      $('code-words').textContent = words ? words[lang] : c.message;
    }
    const waiting = (boot.messages || []).find((r) => r.id === 'waiting');
    const a = known && model.state === 'waiting' && waiting ? { id: 'waiting', text: waiting[lang] }
      : c && (c.code < 0 || c.code >= 3000 || c.code === 2006) ? advice(c.message, c.code) : null;
    $('code-advice').textContent = a ? a.text : '';
    $('code-advice').dataset.advice = a ? a.id : '';
    $('code-advice').hidden = !a;
    renderSound();
    renderControls();
  }

  /** Buttons that cannot act now are disabled; the main (primary) one follows the state. */
  function renderControls() {
    const on = model.conn === 'online';
    const s = model.state;
    const hasSrc = Boolean(model.attributes && model.attributes.src);
    const active = ['connecting', 'playing', 'paused', 'reconnecting', 'waiting'].includes(s);
    const can = {
      'btn-play': on && hasSrc && !active,
      'btn-stop': on && active,
      'btn-pause': on && s === 'playing',
      'btn-resume': on && s === 'paused',
      'btn-mute': on && Boolean(model.attributes),
      'btn-snap': on && ['playing', 'paused', 'reconnecting'].includes(s),
      'btn-src': on, 'btn-save-channel': on, 'btn-fs-0': on, 'btn-fs-90': on, 'btn-fs--90': on, 'btn-fs-exit': on,
      'btn-forget': on, 'btn-add-phone': on, 'btn-src-offer': on, volume: on && Boolean(model.attributes),
      orientation: on, objectFit: on, mode: on,
    };
    for (const [id, ok] of Object.entries(can)) $(id).disabled = !ok;
    for (const b of $('channels').querySelectorAll('button')) b.disabled = !on;
    // Connecting, reconnecting or waiting for the stream to come back: the one thing to do is to stop.
    const main = s === 'playing' ? 'btn-pause' : s === 'paused' ? 'btn-resume' : active ? 'btn-stop' : 'btn-play';
    for (const id of ['btn-play', 'btn-pause', 'btn-resume', 'btn-stop']) $(id).classList.toggle('primary', id === main);
  }

  function renderFullScreen(f) {
    model.fullScreen = f;
    $('fs-state').textContent = f.fullScreen ? `${T.fsOn} ${f.direction}°` : T.fsOff;
    $('fs-state').dataset.fullscreen = String(f.fullScreen);
    $('fs-state').dataset.direction = String(f.direction);
  }

  function renderView(v) {
    renderAttributes(v.attributes);
    model.state = v.state;
    renderFullScreen(v.fullScreen);
    // A fresh view: the last code is the only event known.
    model.lastEvent = v.lastCode && v.lastCode.code !== 2005 ? v.lastCode : model.lastEvent;
    renderCode(v.lastCode);
  }

  function showUnpaired(on) {
    $('unpaired').hidden = !on;
  }

  let volumeDragging = false;

  // ---- channels ----

  async function loadChannels() {
    const { channels } = await api('GET', '/channels');
    const ul = $('channels');
    ul.textContent = '';
    $('no-channels').hidden = channels.length > 0;
    for (const c of channels) {
      const li = document.createElement('li');
      li.dataset.id = c.id;
      li.dataset.src = c.src;
      const nameId = `ch-${c.id}`;
      const label = document.createElement('label');
      label.htmlFor = nameId;
      label.textContent = `${T.nameOf} ${c.name}`;
      label.className = 'visually-plain';
      const input = document.createElement('input');
      input.id = nameId;
      input.value = c.name;
      input.maxLength = 60;
      const src = document.createElement('p');
      src.className = 'src';
      src.textContent = c.src;
      const row = document.createElement('div');
      row.className = 'grid';
      const mk = (text, cls, aria, fn) => {
        const b = document.createElement('button');
        b.type = 'button';
        b.textContent = text;
        if (cls) b.className = cls;
        b.setAttribute('aria-label', `${aria} ${c.name}`);
        control(b, 'stream-error', fn);
        row.appendChild(b);
        return b;
      };
      mk(T.watch, 'primary watch', T.watch, async () => {
        await api('PATCH', '/player', { src: c.src });
        await api('POST', '/player/play');
      });
      mk(T.rename, 'rename', T.rename, async () => {
        await api('PATCH', `/channels/${c.id}`, { name: input.value });
        await loadChannels();
      });
      mk(T.del, 'danger delete', T.del, async () => {
        await api('DELETE', `/channels/${c.id}`);
        await loadChannels();
      });
      li.append(label, input, src, row);
      ul.appendChild(li);
    }
    if (model.attributes) renderAttributes(model.attributes);
  }

  // ---- charts: the last 60 s of netstatus, drawn on canvases ----

  const WINDOW_MS = 60_000;
  const samples = [];
  const CHARTS = [
    { key: 'bitrate', canvas: 'c-bitrate', value: 'v-bitrate', unit: 'kbps', color: '#1d4ed8', pick: (i) => (i.videoBitrate || 0) + (i.audioBitrate || 0) },
    { key: 'fps', canvas: 'c-fps', value: 'v-fps', unit: 'fps', color: '#166534', pick: (i) => i.videoFPS },
    { key: 'delay', canvas: 'c-delay', value: 'v-delay', unit: 'ms', color: '#92400e', pick: (i) => (i.liveDelay !== undefined ? i.liveDelay : i.videoCache) },
  ];

  function addSample(info) {
    const now = Date.now();
    samples.push({ t: now, info });
    while (samples.length && samples[0].t < now - WINDOW_MS) samples.shift();
    for (const c of CHARTS) {
      const v = c.pick(info);
      $(c.value).textContent = typeof v === 'number' ? `${Math.round(v * 10) / 10} ${c.unit}` : '—';
    }
    drawCharts();
  }

  function drawCharts() {
    const now = Date.now();
    for (const c of CHARTS) {
      const canvas = $(c.canvas);
      const w = Math.max(1, Math.round(canvas.clientWidth * (window.devicePixelRatio || 1)));
      const h = Math.max(1, Math.round(canvas.clientHeight * (window.devicePixelRatio || 1)));
      if (canvas.width !== w) canvas.width = w;
      if (canvas.height !== h) canvas.height = h;
      const g = canvas.getContext('2d');
      g.clearRect(0, 0, w, h);
      const pts = samples.map((s) => [s.t, c.pick(s.info)]).filter((p) => typeof p[1] === 'number');
      if (pts.length === 0) continue;
      const max = Math.max(1, ...pts.map((p) => p[1])) * 1.15;
      g.strokeStyle = c.color;
      g.lineWidth = 2 * (window.devicePixelRatio || 1);
      g.beginPath();
      pts.forEach(([t, v], i) => {
        const x = ((t - (now - WINDOW_MS)) / WINDOW_MS) * w;
        const y = h - (v / max) * h;
        if (i === 0) g.moveTo(x, y); else g.lineTo(x, y);
      });
      g.stroke();
    }
  }
  setInterval(() => {
    while (samples.length && samples[0].t < Date.now() - WINDOW_MS) samples.shift();
    drawCharts();
  }, 1000);
  window.addEventListener('resize', drawCharts);

  // ---- events: one EventSource, recovered whenever it drops ----

  let es = null;
  let lastMessageAt = 0;
  let retryTimer = null;

  /** online: paired and the daemon answers; unpaired: it answers 401; offline: it cannot be reached. */
  function setConn(mode) {
    model.conn = mode;
    const el = $('conn');
    for (const m of ['online', 'offline', 'unpaired']) el.classList.toggle(m, m === mode);
    el.dataset.online = String(mode === 'online');
    el.dataset.mode = mode;
    $('conn-text').textContent = T[mode];
    showUnpaired(mode === 'unpaired');
    renderStatus();
  }

  function setOnline(on) {
    // The event stream failing says nothing about pairing: keep "not paired" until the daemon says otherwise.
    if (on) setConn('online');
    else if (model.conn !== 'unpaired') setConn('offline');
  }

  async function refresh() {
    renderView(await api('GET', '/player'));
    if (model.conn !== 'online') setConn('online');
    await loadChannels();
  }

  function connect() {
    if (retryTimer) { clearTimeout(retryTimer); retryTimer = null; }
    if (es) es.close();
    es = new EventSource('/api/v1/events');
    const seen = () => { lastMessageAt = Date.now(); };
    es.onopen = () => {
      seen();
      setOnline(true);
      refresh().catch(() => undefined);
    };
    es.onerror = () => {
      setOnline(false);
      // CLOSED means the browser gave up (an answer that was not a stream, e.g. 401); retry ourselves.
      if (es.readyState === EventSource.CLOSED) {
        // Ask at once whether the daemon is gone or this phone is not paired (401), so the page says which.
        api('GET', '/player').then(() => scheduleRetry(), () => {
          if (model.conn !== 'unpaired') scheduleRetry();
        });
      }
    };
    const on = (name, fn) => es.addEventListener(name, (ev) => { seen(); fn(JSON.parse(ev.data)); });
    on('attributes', renderAttributes);
    on('state', (d) => renderState(d.state));
    on('statechange', (d) => renderCode({ code: d.code, message: d.message }));
    on('fullscreenchange', renderFullScreen);
    on('netstatus', (d) => addSample(d.info));
  }

  function scheduleRetry() {
    if (retryTimer) return;
    retryTimer = setTimeout(async () => {
      retryTimer = null;
      try {
        await api('GET', '/player');
      } catch {
        // Not paired: nothing changes until this phone scans the TV (which reloads the page), and
        // every refused try counts against this address in the daemon's limit on failed attempts.
        if (model.conn !== 'unpaired') scheduleRetry();
        return;
      }
      connect();
    }, 2000);
  }

  // Heartbeats are SSE comments that scripts never see; when nothing came for a
  // while, ask the daemon directly, and start over if it does not answer.
  setInterval(async () => {
    if (!es || es.readyState !== EventSource.OPEN || Date.now() - lastMessageAt < 20_000) return;
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(), 5000);
    try {
      const res = await fetch('/api/v1/player', { credentials: 'same-origin', signal: ctl.signal });
      if (res.ok) { lastMessageAt = Date.now(); renderView(await res.json()); } else {
        if (res.status === 401) setConn('unpaired');
        throw new Error(String(res.status));
      }
    } catch {
      setOnline(false);
      connect();
    } finally {
      clearTimeout(timer);
    }
  }, 5000);
  window.addEventListener('online', () => connect());
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible' && (!es || es.readyState === EventSource.CLOSED)) connect();
  });

  // ---- volume: sent when the finger lets go, shown as the daemon confirms ----

  $('volume').addEventListener('input', () => {
    volumeDragging = true;
    $('volume-value').textContent = `${$('volume').value}%`;
  });
  $('volume').addEventListener('change', async () => {
    volumeDragging = false;
    showError('action-error', null);
    try { await api('PATCH', '/player', { volume: Number($('volume').value) }); } catch (err) {
      showError('action-error', err);
      if (model.attributes) renderAttributes(model.attributes);
    }
  });

  // ---- the address field: host/app/stream is offered as rtmp://…; a scheme it cannot play is explained ----

  /** rtmp://<what was typed> when it has no scheme but looks like host/app/stream. */
  function offerFor(src) {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(src)) return null;
    return /^[^\s/]+\/[^\s]+$/.test(src) ? `rtmp://${src}` : null;
  }

  function checkAddress(submitted) {
    const src = $('src').value.trim();
    const offer = offerFor(src);
    $('src-offer').hidden = !offer;
    if (offer) {
      $('src-offer-text').textContent = `${T.offerRtmp} ${offer}?`;
      $('btn-src-offer').textContent = T.useOffer;
      $('btn-src-offer').dataset.offer = offer;
    }
    const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(src);
    if (scheme && !['rtmp', 'rtmps', 'http', 'https'].includes(scheme[1].toLowerCase())) {
      showError('stream-error', new Error(`setAttributes:fail src scheme "${scheme[1].toLowerCase()}" is not one of rtmp, rtmps, http, https`));
    } else if (submitted || !$('stream-error').dataset.advice || $('stream-error').dataset.advice === 'src-scheme') {
      showError('stream-error', null);
    }
  }
  $('src').addEventListener('input', () => checkAddress(false));
  $('btn-src-offer').addEventListener('click', () => {
    $('src').value = $('btn-src-offer').dataset.offer || $('src').value;
    checkAddress(false);
    $('src').focus();
  });

  // ---- controls ----

  control($('btn-play'), 'action-error', () => api('POST', '/player/play'));
  control($('btn-stop'), 'action-error', () => api('POST', '/player/stop'));
  control($('btn-pause'), 'action-error', () => api('POST', '/player/pause'));
  control($('btn-resume'), 'action-error', () => api('POST', '/player/resume'));
  control($('btn-mute'), 'action-error', () => (model.attributes && model.attributes.muted ? api('PATCH', '/player', { muted: false }) : api('POST', '/player/mute')));
  control($('btn-fs-0'), 'action-error', () => api('POST', '/player/requestFullScreen', { direction: 0 }));
  control($('btn-fs-90'), 'action-error', () => api('POST', '/player/requestFullScreen', { direction: 90 }));
  control($('btn-fs--90'), 'action-error', () => api('POST', '/player/requestFullScreen', { direction: -90 }));
  control($('btn-fs-exit'), 'action-error', () => api('POST', '/player/exitFullScreen'));
  for (const k of ['orientation', 'objectFit', 'mode']) {
    $(k).addEventListener('change', async () => {
      showError('action-error', null);
      try { await api('PATCH', '/player', { [k]: $(k).value }); } catch (err) {
        showError('action-error', err);
        if (model.attributes) $(k).value = model.attributes[k];
      }
    });
  }
  $('src-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    showError('stream-error', null);
    const src = $('src').value.trim();
    if (!src) return showError('stream-error', T.needSrc);
    if (offerFor(src)) return checkAddress(true);
    try {
      await api('PATCH', '/player', { src });
      await api('POST', '/player/play');
    } catch (err) { showError('stream-error', err); }
  });
  control($('btn-save-channel'), 'stream-error', async () => {
    const name = $('channel-name').value.trim();
    const src = $('src').value.trim();
    if (!src) throw new Error(T.needSrc);
    if (!name) throw new Error(T.needName);
    await api('POST', '/channels', { name, src });
    $('channel-name').value = '';
    await loadChannels();
  });
  control($('btn-snap'), 'snap-error', async () => {
    const r = await api('POST', '/player/snapshot', { quality: 'compressed', sourceType: 'stream' });
    const img = $('snap-img');
    await new Promise((resolve, reject) => {
      img.onload = resolve;
      img.onerror = () => reject(new Error('image failed to load'));
      img.src = r.tempImagePath;
    });
    img.dataset.width = String(r.width);
    const a = $('snap-download');
    a.href = r.tempImagePath;
    a.setAttribute('download', r.tempImagePath.split('/').pop());
    $('snap-figure').hidden = false;
  });
  control($('btn-add-phone'), 'action-error', async () => {
    await api('POST', '/pairing/show');
    $('add-phone-done').hidden = false;
    setTimeout(() => ($('add-phone-done').hidden = true), 60000);
  });
  control($('btn-forget'), 'action-error', async () => {
    if (!window.confirm(T.forgetConfirm)) return;
    await api('DELETE', '/sessions');
    if (es) es.close();
    setConn('unpaired');
  });

  setConn('offline');
  renderCode(null);
  connect();
})();
