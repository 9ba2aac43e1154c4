// What a person is told when something fails: for every errMsg and terminal
// status the phone page or the TV can show, a zh and an en text that says
// what to do. The raw errMsg stays in the API for scripts; only people get
// these words. The table is plain data so the phone page (browser, no build
// step) receives it as JSON and matches it the same way as adviceFor() here.

export interface Advice {
  /** Stable name of the situation, e.g. "src-scheme"; tests and the TV key on it. */
  id: string;
  en: string;
  zh: string;
}

interface Rule extends Advice {
  /** Matched (case-insensitive) against the errMsg or the status message. */
  pattern: string;
  /** When set, the rule applies only to these status codes (none: picked by id, e.g. "waiting" for the state). */
  codes?: number[];
}

/** First match wins: specific causes before the general ones. `$1` is the pattern's first group. */
export const MESSAGE_RULES: readonly Rule[] = [
  {
    id: 'src-scheme',
    pattern: 'scheme "([a-z0-9+.-]*)" is not one of',
    en: 'This player cannot play "$1://" addresses. Use an address that starts with rtmp://, rtmps://, http:// or https:// (an HTTP-FLV address ends in .flv).',
    zh: '本播放器不能播放 "$1://" 地址。请使用以 rtmp://、rtmps://、http:// 或 https:// 开头的地址（HTTP-FLV 地址以 .flv 结尾）。',
  },
  {
    id: 'src-invalid',
    pattern: 'src (is not a URL|has no host|contains control characters|is longer than)',
    en: 'This is not a stream address. Type it as the streaming server gives it, e.g. rtmp://192.168.1.10/live/class1.',
    zh: '这不是有效的直播流地址。请按推流服务器给出的样子填写，例如 rtmp://192.168.1.10/live/class1。',
  },
  { id: 'no-src', pattern: 'no src set', en: 'No stream address yet. Enter one under "Stream", then press Play.', zh: '还没有直播流地址。请在"直播流"中填写地址，再按"播放"。' },
  { id: 'not-playing', pattern: 'pause:fail|not playing', en: 'Nothing is playing right now, so there is nothing to pause.', zh: '当前没有在播放，无法暂停。' },
  { id: 'not-paused', pattern: 'resume:fail|not paused', en: 'The stream is not paused. Press Play to start it.', zh: '直播没有暂停。请按"播放"开始。' },
  {
    id: 'snapshot-no-frame',
    pattern: 'snapshot:fail|no frame to capture',
    en: 'There is no picture to capture yet. Wait until the stream shows on the TV, then try again.',
    zh: '还没有可截取的画面。请等电视上出现直播画面后再试。',
  },
  {
    id: 'revoked',
    pattern: 'unauthorized|HTTP 401',
    en: 'This phone is no longer paired with the TV (it was forgotten or its pairing expired). Scan the QR code on the TV again.',
    zh: '这部手机已不再与电视配对（已被忘记或配对已过期）。请重新扫描电视上的二维码。',
  },
  { id: 'forbidden', pattern: 'forbidden|HTTP 403', en: 'The TV refused this request. Open the remote from the address or QR code the TV shows.', zh: '电视拒绝了此请求。请通过电视上显示的地址或二维码打开遥控页面。' },
  { id: 'rate-limited', pattern: 'too many|HTTP 429', en: 'Too many attempts. Wait a minute, then try again.', zh: '尝试次数过多。请等一分钟后再试。' },
  {
    id: 'tv-unreachable',
    pattern: 'Failed to fetch|NetworkError|Load failed|network error',
    en: 'The TV cannot be reached. Check that it is switched on and that this phone is on the same network.',
    zh: '无法连接电视。请确认电视已开机，并且这部手机与电视在同一网络中。',
  },
  {
    id: 'server-refused',
    pattern: 'ECONNREFUSED',
    codes: [-2301, 3002],
    en: 'The streaming server refused the connection. Check the address (host and port) and that the server is running, then press Play.',
    zh: '推流服务器拒绝连接。请检查地址（主机和端口）以及服务器是否在运行，然后按"播放"。',
  },
  {
    id: 'server-unknown',
    pattern: 'ENOTFOUND|EAI_|no answer from the resolver',
    codes: [-2301, 3001],
    en: 'The server name in the address cannot be found. Check the address for typos.',
    zh: '找不到地址中的服务器名称。请检查地址是否写错。',
  },
  {
    id: 'stream-missing',
    pattern: 'StreamNotFound|HTTP 404|refused: ',
    codes: [-2301, -2302, 3005],
    en: 'The server has no stream at this address: the stream name may be wrong, or the teacher has not started streaming yet.',
    zh: '服务器上没有这个地址的直播流：流名称可能写错了，或者老师还没有开始推流。',
  },
  {
    id: 'not-a-stream',
    pattern: '',
    codes: [-2302],
    en: 'This address does not give a live stream this player can play (RTMP or HTTP-FLV, H.264 and AAC). Check the address.',
    zh: '这个地址不是本播放器能播放的直播流（RTMP 或 HTTP-FLV，H.264 与 AAC）。请检查地址。',
  },
  {
    id: 'gave-up',
    pattern: '',
    codes: [-2301],
    en: 'The stream could not be reached after several attempts. Check the network and the address, then press Play to try again.',
    zh: '多次重连后仍无法连接直播流。请检查网络和地址，然后按"播放"重试。',
  },
  {
    id: 'unsupported-codec',
    pattern: "video codec \\(([^)]{1,40})\\)",
    en: 'The stream is encoded as $1, which this player cannot decode. Set the streaming software (OBS: Settings > Output > Encoder) to H.264, then press Play.',
    zh: '直播流的视频编码是 $1，本播放器无法解码。请在推流软件中把编码器改为 H.264（OBS：设置 > 输出 > 编码器），然后按"播放"。',
  },
  { id: 'stream-ended', pattern: '', codes: [2006], en: 'The stream has ended: the teacher stopped streaming. Press Play when it starts again.', zh: '直播已结束：老师已停止推流。重新开始推流后请按"播放"。' },
  {
    id: 'waiting',
    pattern: '',
    codes: [],
    en: 'The stream is gone for now; the TV keeps waiting and plays again by itself when it comes back. Press Stop to stop waiting.',
    zh: '直播暂时中断；电视会一直等待，直播恢复后自动继续播放。按"停止"可结束等待。',
  },
  { id: 'invalid', pattern: 'invalid argument|:fail .* must ', en: 'That value is not accepted. Check it and try again.', zh: '这个值不被接受。请检查后重试。' },
];

/** The advice for an errMsg (code null) or a status code and its message; null when none applies. */
export function adviceFor(text: string, code: number | null = null): Advice | null {
  for (const r of MESSAGE_RULES) {
    if (r.codes ? code === null || !r.codes.includes(code) : code !== null) continue;
    const m = new RegExp(r.pattern, 'i').exec(text);
    if (!m) continue;
    const fill = (s: string) => s.replace(/\$1/g, m[1] ?? '');
    return { id: r.id, en: fill(r.en), zh: fill(r.zh) };
  }
  return null;
}
