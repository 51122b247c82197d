// Collects (mode "read") or replaces (mode "write") every piece of text a screenshot can show: text nodes, the values
// of inputs, textareas and selects, placeholders, and the same inside open shadow roots and same-origin frames. The
// harness's redactor decides what is secret (one redactor, every encoding); this script only reads and writes.
// Argument: { mode: "read" } → string[]; { mode: "write", texts: string[] } → number of pieces replaced.
(arg) => {
  const pieces = [];
  const visit = (root) => {
    const walker = root.ownerDocument.createTreeWalker(root, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
    for (let node = walker.currentNode; node; node = walker.nextNode()) {
      if (node.nodeType === Node.TEXT_NODE) {
        pieces.push({ get: () => node.nodeValue || "", set: (v) => { node.nodeValue = v; } });
        continue;
      }
      const tag = node.tagName;
      if (tag === "INPUT" || tag === "TEXTAREA") {
        pieces.push({ get: () => node.value || "", set: (v) => { node.value = v; } });
      }
      if (node.hasAttribute && node.hasAttribute("placeholder")) {
        pieces.push({ get: () => node.getAttribute("placeholder") || "", set: (v) => node.setAttribute("placeholder", v) });
      }
      if (node.shadowRoot) visit(node.shadowRoot);
      if (tag === "IFRAME" || tag === "FRAME") {
        try { if (node.contentDocument && node.contentDocument.documentElement) visit(node.contentDocument.documentElement); } catch (e) { /* another origin: not ours to read */ }
      }
    }
  };
  visit(document.documentElement);
  // The title is not in the screenshot, but the trace and the report show it.
  pieces.push({ get: () => document.title || "", set: (v) => { document.title = v; } });
  if (arg.mode === "read") return pieces.map((p) => p.get());
  let replaced = 0;
  if (arg.texts.length !== pieces.length) return -1;
  pieces.forEach((p, i) => { if (arg.texts[i] !== null && arg.texts[i] !== p.get()) { p.set(arg.texts[i]); replaced++; } });
  return replaced;
}
