// A few lines instead of a framework: create elements, escape nothing by hand (textContent).
type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | null | undefined | EventListener>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v as EventListener);
    else if (k === 'class') el.className = String(v);
    else if (k === 'value' && 'value' in el) (el as HTMLInputElement).value = String(v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
  return el;
}

export function clear(el: Element): void {
  while (el.firstChild) el.removeChild(el.firstChild);
}

// Element.append without the null/false children that conditional rendering produces.
export function append(parent: Element, ...children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    parent.append(c instanceof Node ? c : String(c));
  }
}

// Whether the <details> `selector` under `root` is open on the page now, or `fallback` when it
// is not there. A view that redraws reads this first: its `toggle` handler runs as a later task,
// so a redraw right after a click on the summary (a change event, a load finishing) would
// otherwise draw the form closed again.
export function detailsOpen(root: Element, selector: string, fallback: boolean): boolean {
  const shown = root.querySelector(selector);
  return shown instanceof HTMLDetailsElement ? shown.open : fallback;
}

// Redraws `root` with `draw` and gives the focus back to the field that had it (by id), with
// its caret: panels redraw when an answer lands, and a scanner may be typing into a field.
export function keepFocus(root: Element, draw: () => void): void {
  const active = document.activeElement;
  const kept = active instanceof HTMLElement && active.id && root.contains(active)
    ? { id: active.id, range: active instanceof HTMLInputElement || active instanceof HTMLTextAreaElement ? [active.selectionStart, active.selectionEnd] : null }
    : null;
  draw();
  if (!kept) return;
  const again = root.querySelector(`#${CSS.escape(kept.id)}`);
  if (!(again instanceof HTMLElement)) return;
  again.focus();
  if (kept.range && (again instanceof HTMLInputElement || again instanceof HTMLTextAreaElement)) {
    try {
      again.setSelectionRange(kept.range[0], kept.range[1]);
    } catch {
      // number and date inputs have no caret
    }
  }
}
