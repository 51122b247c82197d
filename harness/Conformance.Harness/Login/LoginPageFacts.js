// Reads the live page into the facts LoginPageInterpreter classifies (see PageFacts in LoginPageInterpreter.cs).
// HtmlPageReader.cs reads HTML the same way for the form driver: change both together. The selectors and limits
// come from LoginVocabulary; no word or selector is written here, so the two drivers cannot drift apart.
// Every element the facts refer to is marked with the marker attribute, its value the number it is referred to by.
({ selectors, marker, maxText, scriptTypes }) => {
  // Visible as Playwright means it: a non-empty box and not visibility:hidden.
  const visible = e => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0 && getComputedStyle(e).visibility !== 'hidden'; };
  const squash = s => (s || '').replace(/\s+/g, ' ').trim();
  // A selector the browser cannot parse (a profile's typo) matches nothing, as in HtmlPageReader.
  const all = (s, root) => { try { return [...root.querySelectorAll(s)]; } catch { return []; } };
  const matches = (e, s) => { try { return e.matches(s) || !!e.closest(s); } catch { return false; } };
  const pick = (list, root, not) => { for (const s of list) for (const e of all(s, root)) if (e !== not && visible(e)) return e; return null; };

  document.querySelectorAll('[' + marker + ']').forEach(e => e.removeAttribute(marker));
  const elements = [];
  const ref = e => {
    let i = elements.indexOf(e);
    if (i < 0) { i = elements.push(e) - 1; e.setAttribute(marker, String(i)); }
    return i;
  };
  const forms = [...document.forms];
  const formOf = e => !e ? null : e.tagName === 'FORM' ? e : ('form' in e && e.form instanceof HTMLFormElement) ? e.form : e.closest('form');
  const formIndex = e => { const f = formOf(e); const i = f ? forms.indexOf(f) : -1; return i < 0 ? null : i; };

  const field = (list, inForm, onPage, submits, pageSubmits) => {
    const found = pick(list, document, null);
    if (!found) return null;
    const form = formOf(found);
    const user = inForm ? ((form && pick(inForm, form, found)) || pick(onPage, document, found)) : null;
    const submit = (form && pick(submits, form, found)) || pick(pageSubmits, document, found);
    return { ref: ref(found), form: formIndex(found), username: user ? ref(user) : null, submit: submit ? ref(submit) : null };
  };

  const label = e => squash((e.innerText || '') + ' ' + (typeof e.value === 'string' ? e.value : '') + ' ' + (e.getAttribute('aria-label') || ''));
  const button = e => ({ ref: ref(e), form: formIndex(e), label: label(e), inConsent: !!selectors.consent && selectors.consent.some(s => matches(e, s)) });

  // The successful controls a browser would submit, minus buttons (a click adds its own).
  const fields = f => [...f.elements]
    .filter(e => e.name && !e.disabled && !['submit', 'button', 'image', 'reset', 'file'].includes(e.type) && (!['checkbox', 'radio'].includes(e.type) || e.checked))
    .filter(e => ['INPUT', 'SELECT', 'TEXTAREA'].includes(e.tagName))
    .map(e => ({ name: e.name, value: e.value }));

  const text = squash(document.body ? document.body.innerText : '');
  const consent = selectors.consent ? pick(selectors.consent, document, null) : null;
  const facts = {
    forms: forms.map((f, index) => {
      let action = null;
      try { action = new URL(f.getAttribute('action') || '', document.baseURI).href; } catch { }
      return {
        index,
        method: (f.getAttribute('method') || 'get').toLowerCase(),
        action,
        fields: fields(f),
        inputs: all(selectors.inputs, f).filter(visible).length,
        buttons: all(selectors.buttons, f).filter(visible).length,
      };
    }),
    password: field(selectors.password, selectors.usernameInForm, selectors.usernameOnPage, selectors.submit, selectors.pageSubmit),
    otp: field(selectors.otp, null, null, selectors.submit, selectors.pageSubmit),
    identifier: field(selectors.identifier, null, null, selectors.next, selectors.pageNext),
    buttons: all(selectors.buttons, document).filter(visible).map(button),
    consentConfigured: !!selectors.consent,
    consent: consent ? button(consent) : null,
    inputs: all(selectors.inputs, document).filter(visible).length,
    links: all('a[href]', document).filter(visible).length,
    scripts: [...document.scripts].some(s => scriptTypes.includes((s.getAttribute('type') || '').trim().toLowerCase())),
    title: squash(document.title),
    text: text.length > maxText ? text.slice(0, maxText) : text,
    error: all(selectors.error, document).filter(visible).map(e => squash(e.innerText)).filter(t => t).join(' | '),
  };
  return { ready: document.readyState, facts };
}
