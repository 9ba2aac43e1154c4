// Pipeline descriptions: one file per mode, placeholders filled only from the
// element table, anything else refused, and no network element at all (the
// daemon's reader feeds appsrc, so no user string ever reaches parse-launch).
import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describePipeline, pipelineDir } from '../../../src/gst/pipeline-description';

const good = {
  video_decoder: 'avdec_h264',
  video_sink: 'fakesink sync=true',
  audio_sink: 'fakesink sync=true async=false',
  rotate_left: 'videoflip video-direction=90l',
  rotate_right: 'videoflip video-direction=90r',
};

t.test('every variant fills and names the elements the daemon sets', async (tt) => {
  for (const variant of ['live', 'rtc'] as const) {
    const text = describePipeline({ variant, ...good });
    for (const name of ['src', 'demux', 'vq', 'aq', 'vdec', 'vsink', 'asink', 'vol', 'level', 'snap', 'snapvalve', 'vdecin', 'vdecout', 'adecin', 'adecout', 'rot0', 'rotl', 'rotr', 'rotated', 'fitcrop', 'fitsize', 'place', 'viewvalve', 'viewsnap']) {
      tt.match(text, new RegExp(`name=${name}\\b`), `${variant}: ${name}`);
    }
    tt.notMatch(text, /\{\{|location=|rtmp2?src|souphttpsrc|uridecodebin|playbin/, `${variant}: no placeholder left, no network or URI element`);
  }
});

t.test('queues are sized in time, never by buffers or bytes', async (tt) => {
  for (const variant of ['live', 'rtc'] as const) {
    const text = describePipeline({ variant, ...good });
    for (const q of text.match(/queue name=\w+[^\n!]*/g) ?? []) tt.match(q, /max-size-buffers=0 max-size-bytes=0 max-size-time=\d+/, `${variant}: ${q}`);
  }
  tt.match(describePipeline({ variant: 'rtc', ...good }), /leaky=downstream/, 'RTC drops rather than plays late');
});

t.test('an element description from outside the table is refused', async (tt) => {
  tt.throws(() => describePipeline({ variant: 'live', ...good, video_sink: 'fakesink ! filesink location=/tmp/x' }), /refusing/);
  tt.throws(() => describePipeline({ variant: 'live', ...good, video_decoder: 'avdec_h264 name="x"' }), /refusing/);
  tt.throws(() => describePipeline({ variant: 'live', ...good, video_sink: 'fakesink ! fakesink' }), /refusing/, 'a chain only in the decoder slot');
  tt.throws(() => describePipeline({ variant: 'live', ...good, video_decoder: 'avdec_h264 ! filesink location=/tmp/x' }), /refusing/, 'a chain with a path');
  tt.throws(() => describePipeline({ variant: 'live', ...good, video_decoder: 'a ! b ! c ! d' }), /refusing/, 'at most three elements');
});

t.test('the failing test decoder chain fills the decoder slot; name=vdec lands on its identity', async (tt) => {
  const text = describePipeline({ variant: 'live', ...good, video_decoder: 'avdec_h264 thread-type=slice ! identity error-after=1' });
  tt.match(text, /avdec_h264 thread-type=slice ! identity error-after=1 name=vdec/);
});

t.test('the files hold only known placeholders', async (tt) => {
  for (const f of readdirSync(pipelineDir()).filter((n) => n.endsWith('.pipeline'))) {
    const code = readFileSync(path.join(pipelineDir(), f), 'utf8').split('\n').filter((l) => !l.trimStart().startsWith('#')).join('\n');
    const holes = code.match(/\{\{[^}]*\}\}/g) ?? [];
    // width and height: the screen's size, integers checked by describeIdlePipeline.
    for (const h of holes) tt.match(h, /^\{\{(video_decoder|video_sink|audio_sink|rotate_left|rotate_right|width|height)\}\}$/, `${f}: ${h}`);
  }
});

t.test('the Pi\'s rotation element passes, with its control structure; anything longer is refused', async (tt) => {
  const text = describePipeline({ variant: 'live', ...good, rotate_left: 'v4l2convert extra-controls=c,rotate=270' });
  tt.match(text, /! v4l2convert extra-controls=c,rotate=270\n/);
  tt.throws(() => describePipeline({ variant: 'live', ...good, rotate_left: 'v4l2convert extra-controls=c,rotate=270 ! filesink location=/x' }), /refusing/);
  tt.throws(() => describePipeline({ variant: 'live', ...good, rotate_right: 'videoflip video-direction=90r,x="y"' }), /refusing/);
});

t.test('the idle pipeline takes the screen size as integers only', async (tt) => {
  const { describeIdlePipeline } = await import('../../../src/gst/pipeline-description');
  tt.match(describeIdlePipeline('ximagesink sync=true', { width: 3840, height: 2160 }), /width=3840,height=2160/);
  tt.throws(() => describeIdlePipeline('ximagesink sync=true', { width: 1920.5, height: 1080 }), /refusing screen size/);
  tt.throws(() => describeIdlePipeline('ximagesink sync=true', { width: 99999, height: 1080 }), /refusing screen size/);
});

t.test("the screen's end for the TV's words only where the sink shows them", async (tt) => {
  for (const variant of ['live', 'rtc'] as const) {
    const plain = describePipeline({ variant, ...good });
    tt.notMatch(plain, /screengate|funnel name=screen|appsrc name=words|\[words\]/, `${variant}: none by default`);
    tt.match(plain, /sinkconv\s*! fakesink/, `${variant}: the converter feeds the sink`);
    const words = describePipeline({ variant, ...good, screen_words: true });
    tt.match(words, /sinkconv\s*! valve name=screengate drop=false\s*! funnel name=screen\s*! fakesink/, `${variant}: gate and funnel before the sink`);
    tt.match(words, /appsrc name=words [^\n]*\n\s*! videoconvert name=wordsconv\s*! screen\./, `${variant}: the words' input into the funnel`);
    tt.notMatch(words, /\[words\]/, `${variant}: the marks are gone`);
    // Every element the worker holds must exist, or ScreenWords is not available.
    for (const name of ['words', 'wordsconv', 'screen', 'vsink', 'screengate']) tt.match(words, new RegExp(`name=${name}\\b`), `${variant}: ${name}`);
  }
});
