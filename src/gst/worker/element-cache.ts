// One JS wrapper per named element for the life of a pipeline.
//
// gstreamer-superficial builds a fresh wrapper on every findChild() call and
// gives it one accessor per GObject property; each accessor leaves V8
// templates behind that are never collected. A playing worker that looked up
// its queues, identities and sink once a second grew its live heap by about
// 6.5 MiB a minute (measured with forced GCs: 6.6 -> 24 MiB in 2.7 min; the
// heap snapshot held ~20,000 FunctionTemplateInfo/ObjectTemplateInfo).
// Looking each name up once makes that a constant.

export interface ChildLookup<E> {
  findChild(name: string): E | null;
}

/** Makes `findChild` of this pipeline instance remember what it found; returns the same object. */
export function cacheChildren<E, P extends ChildLookup<E>>(pipeline: P): P {
  const lookup = pipeline.findChild.bind(pipeline);
  const found = new Map<string, E>();
  // An own property on the instance: the binding's native methods still see
  // their real receiver, which a Proxy would not give them.
  pipeline.findChild = (name: string): E | null => {
    const hit = found.get(name);
    if (hit) return hit;
    const el = lookup(name);
    if (el) found.set(name, el);
    return el;
  };
  return pipeline;
}
