/**
 * Building the page's elements. Every text from a callback goes in through `textContent` (here, in `el`), never
 * as markup: a body holding `<script>` or `<img onerror>` shows those characters and runs nothing.
 */

/** An element with a class and children; strings become text nodes. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className = "",
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (className !== "") element.className = className;
  for (const child of children) element.append(typeof child === "string" ? document.createTextNode(child) : child);
  return element;
}

/** The element with this id, which the page's HTML has. */
export function byId<T extends HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (element === null) throw new Error(`the page has no #${id}`);
  return element as T;
}
