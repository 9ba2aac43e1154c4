// The live-player status codes (statechange), worded as the seed page words
// them. Everything that sends a code goes through this table so the message a
// user sees is the same on HTTP, D-Bus, the TV and the phone.

export const STATUS_CODES = {
  2001: { en: 'Connected to the server', zh: '已经连接服务器' },
  2002: { en: 'Connected to the server, started pulling the stream', zh: '已经连接服务器，开始拉流' },
  2003: { en: 'First video key frame received from the network', zh: '网络接收到首个视频数据包(IDR)' },
  2004: { en: 'Video playback started', zh: '视频播放开始' },
  2005: { en: 'Playback progress', zh: '视频播放进度' },
  2006: { en: 'Playback ended', zh: '视频播放结束' },
  2007: { en: 'Playback loading (buffering)', zh: '视频播放Loading' },
  2008: { en: 'Decoder started', zh: '解码器启动' },
  2009: { en: 'Video resolution changed', zh: '视频分辨率改变' },
  [-2301]: { en: 'Network disconnected; several reconnect attempts failed. Restart playback to retry', zh: '网络断连，且经多次重连抢救无效，更多重试请自行重启播放' },
  [-2302]: { en: 'Failed to obtain the accelerated pull address', zh: '获取加速拉流地址失败' },
  2101: { en: 'Decoding the current video frame failed', zh: '当前视频帧解码失败' },
  2102: { en: 'Decoding the current audio frame failed', zh: '当前音频帧解码失败' },
  2103: { en: 'Network disconnected, automatic reconnection started', zh: '网络断连, 已启动自动重连' },
  2104: { en: 'Unstable incoming packets: bandwidth too low or the publisher sends unevenly', zh: '网络来包不稳：可能是下行带宽不足，或由于主播端出流不均匀' },
  2105: { en: 'Current video playback stutters', zh: '当前视频播放出现卡顿' },
  2106: { en: 'Hardware decoder failed to start, software decoding used', zh: '硬解启动失败，采用软解' },
  2107: { en: 'Current video frames are not continuous; frames may have been dropped', zh: '当前视频帧不连续，可能丢帧' },
  2108: { en: 'Hardware decoding of the first I-frame failed; switched to software', zh: '当前流硬解第一个I帧失败，SDK自动切软解' },
  3001: { en: 'RTMP DNS resolution failed', zh: 'RTMP -DNS解析失败' },
  3002: { en: 'RTMP server connection failed', zh: 'RTMP服务器连接失败' },
  3003: { en: 'RTMP server handshake failed', zh: 'RTMP服务器握手失败' },
  3005: { en: 'RTMP read/write failed', zh: 'RTMP 读/写失败' },
} as const;

export type StatusCode = keyof typeof STATUS_CODES;

export function isStatusCode(n: number): n is StatusCode {
  return Object.prototype.hasOwnProperty.call(STATUS_CODES, n);
}

/** The one-line message for a code, with what was seen appended. */
export function describe(code: StatusCode, detail?: string): string {
  const base = STATUS_CODES[code].en;
  return detail ? `${base}: ${detail}` : base;
}
