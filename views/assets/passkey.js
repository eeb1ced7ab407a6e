// Passkeys on Foyer's pages, with @simplewebauthn/browser (loaded just before this file; no inline
// scripts under the CSP): sign-in from the email page (button and autofill), the second step on the MFA
// page, and creation on the offer page.
// The server checks everything; this file only carries options in and the browser's answer out.
(function () {
  'use strict';
  const lib = window.SimpleWebAuthnBrowser;
  if (!lib || !lib.browserSupportsWebAuthn()) return;

  const errorBox = document.querySelector('[data-passkey-error]');
  // The page's words come with the error box (data-msg-*, in the page's language); English if a page has none.
  const words = (name, english) => (errorBox && errorBox.dataset[name]) || english;
  const showError = (message) => {
    if (!errorBox) return;
    errorBox.textContent = message;
    errorBox.hidden = false;
  };
  const csrfOf = (form) => form.querySelector('input[name=_csrf]').value;
  const post = (url, form) => fetch(url, {
    method: 'POST', credentials: 'same-origin', headers: { accept: 'application/json' }, body: new URLSearchParams({ _csrf: csrfOf(form) }),
  });

  async function fetchOptions(url, form) {
    const res = await post(url, form);
    const body = await res.json().catch(() => ({}));
    if (!res.ok) {
      const error = new Error(body.message || words('msgFailed', 'Something went wrong. Reload the page and try again.'));
      error.name = 'FoyerError';
      throw error;
    }
    return body;
  }

  function describe(error) {
    if (error.name === 'FoyerError') return error.message;
    if (error.code === 'ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED' || error.name === 'InvalidStateError') {
      return words('msgDuplicate', 'This device already has a passkey for your account. Choose "Not now" to continue.');
    }
    if (error.name === 'NotAllowedError' || error.code === 'ERROR_CEREMONY_ABORTED') return words('msgCancelled', 'The passkey request was cancelled or timed out. Try again.');
    return words('msgUnsupported', 'This browser could not use a passkey here. Try again, or continue another way.');
  }

  function submitWith(form, response) {
    form.querySelector('input[name=response]').value = JSON.stringify(response);
    form.submit();
  }

  /** Runs one ceremony from a form's button: options, the browser's dialog, then the form posts the answer. */
  function onButton(form, optionsUrl, ceremony) {
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const button = form.querySelector('button');
      button.disabled = true;
      try {
        submitWith(form, await ceremony(await fetchOptions(optionsUrl, form)));
      } catch (error) {
        showError(describe(error));
        button.disabled = false;
      }
    });
  }

  const signIn = document.querySelector('form[data-passkey-sign-in]');
  if (signIn) {
    const base = signIn.getAttribute('action').replace(/\/authenticate$/, '');
    signIn.hidden = false;
    let buttonUsed = false;
    signIn.addEventListener('submit', () => (buttonUsed = true));
    onButton(signIn, `${base}/authenticate/options`, (optionsJSON) => lib.startAuthentication({ optionsJSON }));

    // Tell the server this browser can create a passkey here, so it may offer one after a password sign-in.
    lib.platformAuthenticatorIsAvailable().then((available) => (available ? post(`${base}/capable`, signIn) : undefined)).catch(() => undefined);

    // Autofill (conditional UI): passkeys listed under the email field; the button aborts it. Not
    // right after a refused passkey, so a browser that answers by itself cannot loop.
    (async () => {
      if (!signIn.hasAttribute('data-passkey-autofill') || !(await lib.browserSupportsWebAuthnAutofill())) return;
      const optionsJSON = await fetchOptions(`${base}/authenticate/options`, signIn);
      if (buttonUsed) return;
      submitWith(signIn, await lib.startAuthentication({ optionsJSON, useBrowserAutofill: true }));
    })().catch(() => undefined);
  }

  // A passkey of the account as the second step (the MFA page): the options name the account's passkeys.
  const secondFactor = document.querySelector('form[data-passkey-second-factor]');
  if (secondFactor) {
    secondFactor.hidden = false;
    onButton(secondFactor, `${secondFactor.getAttribute('action')}/options`, async (optionsJSON) => {
      const answer = await lib.startAuthentication({ optionsJSON });
      // "Remember this device" may sit in the code form on the same page: it counts for the passkey too.
      const remember = document.querySelector('input[name=remember]');
      if (remember && remember.checked && !secondFactor.contains(remember)) {
        secondFactor.append(Object.assign(document.createElement('input'), { type: 'hidden', name: 'remember', value: 'yes' }));
      }
      return answer;
    });
  }

  const register = document.querySelector('form[data-passkey-register]');
  if (register) onButton(register, `${register.getAttribute('action')}/options`, (optionsJSON) => lib.startRegistration({ optionsJSON }));
})();
