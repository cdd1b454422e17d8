/**
 * `text.charCodeAt(i)`, NaN outside the text, without reading out of bounds: one out-of-bounds
 * charCodeAt deoptimises its call site, and V8 then calls the builtin there for good (several
 * times slower than the inlined read on every later character).
 */
export const code = (text: string, i: number): number => ((i >>> 0) < text.length ? text.charCodeAt(i) : NaN);

/** `text.charCodeAt(i)`, -1 outside the text (an integer: loops over characters stay on small integers). */
export const codeOr = (text: string, i: number): number => ((i >>> 0) < text.length ? text.charCodeAt(i) : -1);
