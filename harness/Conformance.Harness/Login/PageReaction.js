// After the browser driver acted on an element (filled and submitted a field, pressed a button): is that element
// still shown, and which error does the page show? The driver reads this until the page moves on or refuses.
// "Visible" as Playwright means it: a non-empty box and not visibility:hidden.
// Arguments: the element acted on (the handle it is evaluated on), and the error selector of LoginVocabulary.
// Returns { shown: boolean, error: string } (visible error texts joined with " | ").
(field, errorSelector) => {
  const visible = e => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0 && getComputedStyle(e).visibility !== 'hidden'; };
  const squash = s => (s || '').replace(/\s+/g, ' ').trim();
  const errors = sel => [...document.querySelectorAll(sel)].filter(visible).map(e => squash(e.innerText)).filter(t => t).join(' | ');
  return { shown: field.isConnected && visible(field), error: errors(errorSelector) };
}
