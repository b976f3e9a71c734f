// The buyer's browser checks a disclosure's log proof itself (privacy center, "Who has my data").
//
// For each row it fetches /me/proofs/{id} and checks, with Web Crypto only:
//  1. the leaf is the record of this disclosure (its "id" is the row's disclosure id) and, for a
//     private leaf, SHA-256(salt || record) is its commitment and the record is this one;
//  2. the leaf's hash, SHA-256(0x00 || leaf) (RFC 6962 2.1), folded with the audit path by
//     SHA-256(0x01 || left || right) as RFC 9162 2.1.3.2 says, gives the signed head's root;
//  3. the head's key id is the SHA-256 of the public key given;
//  4. the head's Ed25519 signature over its canonical JSON verifies, where the browser has
//     Ed25519; otherwise the page shows the server's check of the signature, labelled as such.
// No build step and no inline script: the page's Content-Security-Policy allows scripts from
// this site only, and fetches to it. Every sentence shown comes from #proof-words, which the
// server fills from the `web` catalogue in the reader's language.
"use strict";

(function () {
  const words = document.getElementById("proof-words");
  if (!words || !window.crypto || !window.crypto.subtle) {
    return; // no Web Crypto (an old browser, or not a secure context): the JSON link stays
  }
  const say = (name) => words.dataset[name] || "";

  function fromHex(text) {
    if (typeof text !== "string" || text.length % 2 !== 0 || /[^0-9a-f]/i.test(text)) {
      throw new Error("not hex");
    }
    const out = new Uint8Array(text.length / 2);
    for (let i = 0; i < out.length; i += 1) {
      out[i] = parseInt(text.substr(i * 2, 2), 16);
    }
    return out;
  }

  function toHex(bytes) {
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function fromBase64(text) {
    const raw = atob(text);
    const out = new Uint8Array(raw.length);
    for (let i = 0; i < raw.length; i += 1) {
      out[i] = raw.charCodeAt(i);
    }
    return out;
  }

  function concat(...parts) {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const part of parts) {
      out.set(part, at);
      at += part.length;
    }
    return out;
  }

  async function sha256(bytes) {
    return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  }

  const leafHash = (leaf) => sha256(concat(Uint8Array.of(0), leaf));
  const nodeHash = (left, right) => sha256(concat(Uint8Array.of(1), left, right));

  function equal(a, b) {
    return a.length === b.length && a.every((value, i) => value === b[i]);
  }

  // RFC 9162 2.1.3.2: true when `path` leads from the leaf at `index` to `root` in a tree of
  // `size` leaves. Numbers are exact up to 2**53 leaves.
  async function included(hash, index, size, path, root) {
    if (!(index >= 0 && index < size)) {
      return false;
    }
    let fn = index;
    let sn = size - 1;
    let r = hash;
    for (const p of path) {
      if (sn === 0) {
        return false;
      }
      if (fn % 2 === 1 || fn === sn) {
        r = await nodeHash(p, r);
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      } else {
        r = await nodeHash(r, p);
      }
      fn = Math.floor(fn / 2);
      sn = Math.floor(sn / 2);
    }
    return sn === 0 && equal(r, root);
  }

  // The bytes the head's signature covers: its fields but the signature, as canonical JSON
  // (keys sorted, no spaces), exactly as databorder.ledger.signing.SignedHead.signed_bytes.
  function signedBytes(head) {
    const text = JSON.stringify({
      key_id: head.key_id,
      root_hash: head.root_hash,
      timestamp: head.timestamp,
      tree_size: head.tree_size,
    });
    return new TextEncoder().encode(text);
  }

  // true or false when the browser could check, null when it has no Ed25519.
  async function signatureChecks(head, publicKey) {
    let key;
    try {
      key = await crypto.subtle.importKey("raw", publicKey, { name: "Ed25519" }, false, ["verify"]);
    } catch (error) {
      return null;
    }
    return crypto.subtle.verify(
      { name: "Ed25519" },
      key,
      fromBase64(head.signature),
      signedBytes(head),
    );
  }

  class Refused extends Error {}

  async function verify(bundle, disclosureId) {
    const leaf = fromBase64(bundle.leaf);
    let record;
    try {
      record = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(leaf));
    } catch (error) {
      throw new Refused("reasonLeaf");
    }
    if (!record || record.id !== disclosureId) {
      throw new Refused("reasonLeaf");
    }
    if (typeof record.commitment === "string") {
      // A private leaf: the record and salt must open it, SHA-256(salt || record).
      if (typeof bundle.record !== "string" || typeof bundle.salt !== "string") {
        throw new Refused("reasonLeaf");
      }
      const opened = new TextEncoder().encode(bundle.record);
      const digest = toHex(await sha256(concat(fromBase64(bundle.salt), opened)));
      let content;
      try {
        content = JSON.parse(bundle.record);
      } catch (error) {
        throw new Refused("reasonLeaf");
      }
      if (digest !== record.commitment || !content || content.id !== disclosureId) {
        throw new Refused("reasonLeaf");
      }
    }
    const head = bundle.head;
    if (head.tree_size !== bundle.tree_size) {
      throw new Refused("reasonPath");
    }
    const path = bundle.audit_path.map(fromHex);
    const root = fromHex(head.root_hash);
    if (!(await included(await leafHash(leaf), bundle.leaf_index, head.tree_size, path, root))) {
      throw new Refused("reasonPath");
    }
    const publicKey = fromBase64(bundle.public_key.raw);
    if (toHex(await sha256(publicKey)) !== head.key_id) {
      throw new Refused("reasonKey");
    }
    const signed = await signatureChecks(head, publicKey);
    if (signed === false) {
      throw new Refused("reasonSignature");
    }
    if (signed === null) {
      if (!bundle.server_check || bundle.server_check.signature !== "ok") {
        throw new Refused("reasonServer");
      }
      return "verifiedServer";
    }
    return "verified";
  }

  function details(bundle) {
    return say("details")
      .replace("{index}", String(bundle.leaf_index + 1))
      .replace("{size}", String(bundle.tree_size))
      .replace("{key}", String(bundle.head.key_id).slice(0, 16));
  }

  async function check(box, button, result) {
    button.disabled = true;
    result.className = "proof-result checking";
    result.textContent = say("checking");
    let bundle = null;
    try {
      const answer = await fetch(box.dataset.proof, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      if (!answer.ok) {
        throw new Refused("reasonFetch");
      }
      bundle = await answer.json();
      const outcome = await verify(bundle, box.dataset.disclosure);
      result.className = "proof-result verified";
      result.textContent = `✓ ${say(outcome)} ${details(bundle)}`;
      box.dataset.verdict = outcome;
    } catch (error) {
      const reason = error instanceof Refused ? error.message : bundle ? "reasonPath" : "reasonFetch";
      result.className = "proof-result failed";
      result.textContent = `✗ ${say("failed")} ${say(reason)}`;
      box.dataset.verdict = "failed";
    } finally {
      button.disabled = false;
    }
  }

  for (const box of document.querySelectorAll(".proof[data-proof]")) {
    const button = box.querySelector("button");
    const result = box.querySelector(".proof-result");
    if (!button || !result) {
      continue;
    }
    button.hidden = false;
    button.addEventListener("click", () => check(box, button, result));
  }
})();
