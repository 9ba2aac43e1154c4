// The part of gstreamer-superficial the worker uses, typed: the binding
// ships no types. Properties are plain JS properties (`el.location = url`);
// numbers are set as float GValues and 64-bit ones read back as strings.
import type { BusMessage } from './bus-codes';

export interface GstElement {
  [prop: string]: unknown;
  push?(buf: Buffer): void;
  pull?(cb: (buf: Buffer | null, caps: Record<string, unknown>) => void): void;
}
export interface GstPipeline {
  play(): void;
  pause(): void;
  stop(): void;
  findChild(name: string): GstElement | null;
  pollBus(cb: (m: BusMessage) => void): void;
}
export interface Gst {
  Pipeline: new (description: string) => GstPipeline;
}
