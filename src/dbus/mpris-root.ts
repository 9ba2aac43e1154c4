// org.mpris.MediaPlayer2, the MPRIS root interface: who the player is and
// what it cannot do. Nothing in it changes while the daemon runs.
import { interface as dbusInterface } from 'dbus-next';

export const MPRIS_PATH = '/org/mpris/MediaPlayer2';

/** org.mpris.MediaPlayer2: who we are; Raise and Quit do nothing (CanRaise/CanQuit are false). */
export class MprisRoot extends dbusInterface.Interface {
  constructor(private readonly identity: string) {
    super('org.mpris.MediaPlayer2');
  }
  get Identity(): string {
    return this.identity;
  }
  get CanQuit(): boolean {
    return false;
  }
  get CanRaise(): boolean {
    return false;
  }
  get HasTrackList(): boolean {
    return false;
  }
  get SupportedUriSchemes(): string[] {
    return ['rtmp', 'rtmps', 'http', 'https'];
  }
  get SupportedMimeTypes(): string[] {
    return ['video/x-flv'];
  }
  Raise(): void {}
  Quit(): void {}
}

MprisRoot.configureMembers({
  properties: Object.fromEntries(
    [
      ['Identity', 's'],
      ['CanQuit', 'b'],
      ['CanRaise', 'b'],
      ['HasTrackList', 'b'],
      ['SupportedUriSchemes', 'as'],
      ['SupportedMimeTypes', 'as'],
    ].map(([name, signature]) => [name, { signature, access: 'read' as const }]),
  ),
  methods: { Raise: {}, Quit: {} },
});
