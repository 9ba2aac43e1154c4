// videobox offers AYUV first for every YUV input: with a sink that takes any
// format it converted each frame even with no border to add. The worker sets
// `placecaps` (the capsfilter after `place`) from the element table. Here the
// pipeline the worker plays (gst-pipelines/live.pipeline with fakesink) is
// fed a real FLV file through the real binding, with the caps set as the
// worker sets them, and the sink's last sample says which format it got;
// without the capsfilter the sink gets AYUV, so the test notices GStreamer
// changing either way.
import t from 'tap';
import { bindingProbeText } from '../../helpers/binding-probe';
import { makeFlv, SD, tempDir } from '../../helpers/ffmpeg-files';
import { placeCaps, videoSinkDescription } from '../../../src/gst/element-choice';
import { describePipeline } from '../../../src/gst/pipeline-description';

const text = describePipeline({
  variant: 'live',
  video_decoder: 'avdec_h264 thread-type=slice',
  video_sink: videoSinkDescription('fake'),
  audio_sink: 'fakesink sync=true async=false',
  rotate_left: 'videoflip video-direction=90l',
  rotate_right: 'videoflip video-direction=90r',
});

const sinkFormat = (flv: string, caps: string | null, top = 0) => `
const gst = require('gstreamer-superficial');
const fs = require('fs');
let text = ${JSON.stringify(text)};
${caps === null ? "text = text.replace('! capsfilter name=placecaps', '');" : ''}
const p = new gst.Pipeline(text);
${caps === null ? '' : `p.findChild('placecaps').caps = ${JSON.stringify(caps)};`}
p.findChild('fitsize').caps = 'video/x-raw,width=640,height=360,pixel-aspect-ratio=1/1';
p.findChild('place').top = ${top};
p.play();
p.findChild('src').push(fs.readFileSync(${JSON.stringify(flv)}));
setTimeout(() => {
  const s = p.findChild('vsink')['last-sample'];
  process.stdout.write(String(s && s.caps && s.caps.format));
  process.kill(process.pid, 'SIGKILL');
}, 2500);
`;

t.test('the caps after videobox pass the decoded format through to the sink', async (tt) => {
  const flv = makeFlv(tempDir(tt), { ...SD, seconds: 3 });
  tt.equal(bindingProbeText(sinkFormat(flv, placeCaps(videoSinkDescription('fake')))), 'I420', 'fakesink: the decoder\'s I420 passes through');
  tt.equal(bindingProbeText(sinkFormat(flv, placeCaps(videoSinkDescription('kms')), 40)), 'I420', 'kmssink, window or PiP (a border to add): still I420');
  tt.equal(bindingProbeText(sinkFormat(flv, placeCaps(videoSinkDescription('gl')))), 'AYUV', 'glimagesink: AYUV, as before');
  tt.equal(bindingProbeText(sinkFormat(flv, null)), 'AYUV', 'without the capsfilter videobox converts to AYUV (what the caps avoid)');
});
