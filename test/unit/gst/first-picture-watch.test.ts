// When a hardware decoder that says nothing on the bus counts as failed: no
// picture out after both the time bound and the largest H.264 reorder depth.
import t from 'tap';
import { FIRST_PICTURE_LIMIT, judgeFirstPicture } from '../../../src/gst/worker/watches/first-picture-watch';

t.test('first-picture verdicts', async (tt) => {
  const { ms, framesIn } = FIRST_PICTURE_LIMIT;
  const cases: [string, Parameters<typeof judgeFirstPicture>[0], string][] = [
    ['nothing went in yet', { msSinceFirstIn: null, framesIn: 0, framesOut: 0 }, 'wait'],
    ['a picture came out', { msSinceFirstIn: 50, framesIn: 3, framesOut: 1 }, 'ok'],
    ['a picture came out late is still fine', { msSinceFirstIn: ms * 3, framesIn: 200, framesOut: 1 }, 'ok'],
    ['within the time bound', { msSinceFirstIn: ms - 1, framesIn: 100, framesOut: 0 }, 'wait'],
    ['past the time but within the reorder depth (slow stream)', { msSinceFirstIn: ms * 5, framesIn: framesIn - 1, framesOut: 0 }, 'wait'],
    ['past both: failed', { msSinceFirstIn: ms, framesIn, framesOut: 0 }, 'failed'],
  ];
  for (const [about, s, want] of cases) tt.equal(judgeFirstPicture(s), want, about);
  tt.equal(framesIn, 17, 'one more than the largest H.264 DPB (16 frames)');
});
