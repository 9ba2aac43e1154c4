// What the TV says, in the TV's language: one sentence a class can read from
// the back row and a teacher can act on. Built from the player's state and
// codes by src/tv/screen.ts; drawn by the card process (src/gst/worker/idle-worker.ts).
import { STATUS_CODES, isStatusCode } from '../player/status-codes';

export type Language = 'zh' | 'en';

/** What happened, as far as the TV is concerned. */
export type TvSituation =
  /** `remote: false`: no phone can pair (the HTTP surface is off), so the card does not ask for one. */
  | { kind: 'idle'; remote?: boolean }
  | { kind: 'stopped' }
  | { kind: 'connecting'; stream: string }
  | { kind: 'connected-no-media'; stream: string }
  | { kind: 'reconnecting'; stream: string; attempt: number; of: number; startedOnce: boolean }
  | { kind: 'paused' }
  | { kind: 'waiting'; stream: string; since: Date; code: number; cause: Cause | null }
  | { kind: 'failed'; stream: string; code: number; cause: Cause | null; detail: string };

/** The causes a teacher can act on, read from the codes and their messages. */
export type Cause = 'host-not-found' | 'refused' | 'not-a-stream-server' | 'untrusted-certificate' | 'no-such-stream' | 'bad-address' | 'unsupported-codec' | 'ended' | 'lost';

/** The cause of a code with the message it came with (the message tells apart what one code covers). */
export function causeOf(code: number, message: string): Cause | null {
  if (code === 3001) return 'host-not-found';
  if (code === 3002) return 'refused';
  if (code === 3003) return /certificat|self[- ]signed|unable to verify|CERT_|TLS/i.test(message) ? 'untrusted-certificate' : 'not-a-stream-server';
  if (code === -2302) return /\b404\b|not found|StreamNotFound|no such stream|does not exist/i.test(message) ? 'no-such-stream' : 'bad-address';
  if (code === 2006) return 'ended';
  // HTTPS has no code for a certificate it does not trust: the failure's message says it.
  if (code === 0 && /certificat|self[- ]signed|unable to verify/i.test(message)) return 'untrusted-certificate';
  if (code === -2301 || code === 3005 || code === 2103) return 'lost';
  if (/codec|no decoder|not supported|unsupported/i.test(message)) return 'unsupported-codec';
  return null;
}

/** The stream's name as a teacher knows it: the last path segment of the address. */
export function streamName(src: string): string {
  try {
    const u = new URL(src);
    const seg = u.pathname.split('/').filter(Boolean).pop();
    return seg ? decodeURIComponent(seg).replace(/\.flv$/i, '') : u.host;
  } catch {
    return src.slice(0, 64);
  }
}

function hostOf(src: string): string {
  try {
    return new URL(src).hostname;
  } catch {
    return '';
  }
}

function clock(d: Date): string {
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

/** The codec a "not supported" message names, if it names one. */
function codecIn(detail: string): string {
  return /codec \(([^)]{1,40})\)/i.exec(detail)?.[1] ?? /codec(?: id)?\s*[:=]?\s*([A-Za-z0-9.+-]+)/i.exec(detail)?.[1] ?? /\b(HEVC|H\.?265|VP6|VP8|VP9|AV1|Sorenson|H\.?263|MP3|Speex|Nellymoser)\b/i.exec(detail)?.[1] ?? '';
}

const CAUSES: Record<Cause, (host: string, stream: string, codec: string) => { zh: string; en: string }> = {
  'host-not-found': (h) => ({ zh: `找不到直播服务器“${h}”。请检查直播地址。`, en: `The stream server "${h}" was not found. Check the stream address.` }),
  refused: (h) => ({ zh: `直播服务器 ${h} 拒绝连接。请检查地址和端口，并确认服务器已开启。`, en: `The server ${h} refused the connection. Check the address and port, and that the server is running.` }),
  'not-a-stream-server': (h) => ({ zh: `${h} 不是直播服务器。请检查直播地址。`, en: `${h} is not a live-stream server. Check the stream address.` }),
  'untrusted-certificate': (h) => ({ zh: `${h} 的证书不受信任。请让学校网管添加学校的证书（--ca-file）。`, en: `The certificate of ${h} is not trusted. Ask the school's IT to add its certificate (--ca-file).` }),
  'no-such-stream': (_h, s) => ({ zh: `服务器上没有直播流“${s}”。请检查直播码（流名称）。`, en: `The stream "${s}" does not exist on the server. Check the stream key.` }),
  'bad-address': () => ({ zh: '无法播放此地址。请使用 rtmp:// 或 http(s)://….flv 地址。', en: 'This address cannot be played. Use an rtmp:// or http(s)://….flv address.' }),
  'unsupported-codec': (_h, _s, c) => ({ zh: `不支持此直播的视频编码${c ? `（${c}）` : ''}。请在推流端改用 H.264。`, en: `The stream's video codec${c ? ` (${c})` : ''} is not supported. Set the encoder to H.264.` }),
  ended: () => ({ zh: '直播已结束。', en: 'The lesson stream ended.' }),
  lost: () => ({ zh: '与直播的连接中断，多次重连未成功。', en: 'The connection to the stream was lost and could not be restored.' }),
};

/** The headline (large) and an optional second line, in the TV's language. */
export function tvWords(s: TvSituation, lang: Language, src = ''): { headline: string; line: string } {
  const pick = (w: { zh: string; en: string }) => w[lang];
  const host = hostOf(src);
  switch (s.kind) {
    case 'idle':
      return {
        headline: pick({ zh: '准备就绪', en: 'Ready' }),
        line: s.remote === false ? pick({ zh: '现在没有播放任何直播。', en: 'No stream is playing.' }) : pick({ zh: '用手机扫描二维码即可遥控本屏幕。', en: 'Scan the code with a phone to control this screen.' }),
      };
    case 'stopped':
      return { headline: pick({ zh: '已停止', en: 'Stopped' }), line: pick({ zh: '在手机上按“播放”即可观看。', en: 'Press Play on the phone to watch.' }) };
    case 'connecting':
      return { headline: pick({ zh: `正在连接 ${s.stream}…`, en: `Connecting to ${s.stream}…` }), line: '' };
    case 'connected-no-media':
      return {
        headline: pick({ zh: `已连接，等待 ${s.stream} 开始直播`, en: `Connected, waiting for ${s.stream} to start` }),
        line: pick({ zh: '老师开始推流后会自动播放。', en: 'It plays by itself once the teacher starts the stream.' }),
      };
    case 'reconnecting':
      return s.startedOnce
        ? { headline: pick({ zh: `连接中断，正在重连（${s.attempt}/${s.of}）`, en: `Connection lost, reconnecting (${s.attempt}/${s.of})` }), line: '' }
        : { headline: pick({ zh: `等待 ${s.stream} 开始直播（${s.attempt}/${s.of}）`, en: `Waiting for ${s.stream} to start (${s.attempt}/${s.of})` }), line: '' };
    case 'paused':
      return { headline: pick({ zh: '❚❚ 已暂停', en: '❚❚ Paused' }), line: '' };
    case 'waiting': {
      const at = clock(s.since);
      const what = s.cause && s.cause !== 'lost' && s.cause !== 'ended' ? pick(CAUSES[s.cause](host, s.stream, '')) : '';
      const since =
        s.code === 2006
          ? pick({ zh: `直播于 ${at} 结束（2006）。`, en: `The stream ended at ${at} (2006).` })
          : pick({ zh: `${at} 起连接中断（${s.code}）。`, en: `The connection was lost at ${at} (${s.code}).` });
      return {
        headline: pick({ zh: `等待 ${s.stream} 恢复直播`, en: `Waiting for ${s.stream} to come back` }),
        line: `${since}${what ? ` ${what}` : ''} ${pick({ zh: '恢复后自动播放。', en: 'It plays again by itself.' })}`.trim(),
      };
    }
    case 'failed': {
      const cause = s.cause ? pick(CAUSES[s.cause](host, s.stream, codecIn(s.detail))) : '';
      const generic = isStatusCode(s.code) ? STATUS_CODES[s.code][lang] : '';
      return {
        // A failure without a status code (a codec, a pipeline) has no number to show.
        headline: s.code ? pick({ zh: `无法播放（${s.code}）`, en: `Cannot play (${s.code})` }) : pick({ zh: '无法播放', en: 'Cannot play' }),
        line: `${cause || generic} ${pick({ zh: '然后在手机上按“播放”。', en: 'Then press Play on the phone.' })}`,
      };
    }
  }
}
