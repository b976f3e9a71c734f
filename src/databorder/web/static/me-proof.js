// The buyer's browser checks a disclosure's log proof itself (privacy center, "Who has my data").
//
// For each row it fetches /me/proofs/{id}: the C2SP tlog-proof bundle a regulator gets, with the
// log's and the witnesses' vkeys. With Web Crypto only, it checks that:
//  1. the bundle's record is this disclosure, and SHA-256(salt || record) rebuilds the private
//     leaf {commitment, id, type} the log appended;
//  2. the leaf's hash, SHA-256(0x00 || leaf), folded with the inclusion proof by
//     SHA-256(0x01 || left || right) as RFC 9162 2.1.3.2 says, gives the checkpoint's root;
//  3. the checkpoint's signature line is the log key's (its id is SHA-256(name || 0x0A || 0x01 ||
//     key)[:4]) and its Ed25519 signature over the checkpoint text verifies;
//  4. each named witness's cosignature (time || Ed25519 over "cosignature/v1\ntime <t>\n" and
//     the text) verifies, and says how many did.
// Where the browser has no Ed25519, the page shows the server's check, labelled as such.
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

  const utf8 = (text) => new TextEncoder().encode(text);

  // A signed note (C2SP signed-note): its text, then "— <name> <base64>" lines after the last
  // blank line.
  function parseNote(text) {
    const split = text.lastIndexOf("\n\n");
    if (split < 0) {
      throw new Refused("reasonKey");
    }
    const signatures = [];
    for (const line of text.slice(split + 2).split("\n")) {
      const match = /^\u2014 (\S+) (\S+)$/.exec(line);
      if (match) {
        signatures.push({ name: match[1], raw: fromBase64(match[2]) });
      }
    }
    return { body: text.slice(0, split + 1), signatures };
  }

  // "<name>+<hex key id>+<base64(type || key)>"; the base64 may itself hold "+".
  function parseVkey(vkey) {
    const first = vkey.indexOf("+");
    const second = vkey.indexOf("+", first + 1);
    const raw = fromBase64(vkey.slice(second + 1));
    return {
      name: vkey.slice(0, first),
      id: fromHex(vkey.slice(first + 1, second)),
      type: raw[0],
      key: raw.slice(1),
    };
  }

  // SHA-256(name || 0x0A || type || key)[:4], the note key id.
  async function keyId(key) {
    const digest = await sha256(concat(utf8(key.name), Uint8Array.of(10, key.type), key.key));
    return digest.slice(0, 4);
  }

  // true or false when the browser could check, null when it has no Ed25519.
  async function ed25519(publicKey, signature, message) {
    let key;
    try {
      key = await crypto.subtle.importKey("raw", publicKey, { name: "Ed25519" }, false, ["verify"]);
    } catch (error) {
      return null;
    }
    return crypto.subtle.verify({ name: "Ed25519" }, key, signature, message);
  }

  class Refused extends Error {}

  // The proof is the C2SP tlog-proof bundle the regulator gets; see web/me/proofs.py.
  async function verify(proof, disclosureId) {
    const cut = proof.bundle.indexOf("\n\n");
    const lines = proof.bundle.slice(0, cut).split("\n");
    const note = proof.bundle.slice(cut + 2);
    if (lines[0] !== "c2sp.org/tlog-proof@v1" || !lines[1].startsWith("extra ")) {
      throw new Refused("reasonLeaf"); // no record and salt: nothing to open the leaf with
    }
    let extra;
    let record;
    try {
      extra = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(fromBase64(lines[1].slice(6))));
      record = JSON.parse(extra.record);
    } catch (error) {
      throw new Refused("reasonLeaf");
    }
    if (!record || record.id !== disclosureId || !lines[2].startsWith("index ")) {
      throw new Refused("reasonLeaf");
    }
    // The private leaf the log appended: {commitment, id, type}, keys sorted, no spaces.
    const commitment = toHex(await sha256(concat(fromBase64(extra.salt), utf8(extra.record))));
    const leaf = utf8(JSON.stringify({ commitment, id: record.id, type: record.type }));
    const index = Number(lines[2].slice(6));
    const path = lines.slice(3).map(fromBase64);
    const checkpoint = parseNote(note);
    const [origin, sizeLine, rootLine] = checkpoint.body.split("\n");
    const size = Number(sizeLine);
    if (!(await included(await leafHash(leaf), index, size, path, fromBase64(rootLine)))) {
      throw new Refused("reasonPath");
    }
    const log = parseVkey(proof.log_vkey);
    if (log.name !== origin || log.type !== 1 || !equal(await keyId(log), log.id)) {
      throw new Refused("reasonKey");
    }
    const own = checkpoint.signatures.find((s) => s.name === origin && equal(s.raw.slice(0, 4), log.id));
    if (!own) {
      throw new Refused("reasonKey");
    }
    const body = utf8(checkpoint.body);
    const signed = await ed25519(log.key, own.raw.slice(4), body);
    if (signed === false) {
      throw new Refused("reasonSignature");
    }
    const facts = { index, size, key: toHex(log.id), total: proof.witnesses.length, cosigned: 0 };
    if (signed === null) {
      if (!proof.server_check || !proof.server_check.verified) {
        throw new Refused("reasonServer");
      }
      facts.cosigned = proof.server_check.cosignatures;
      return ["verifiedServer", facts];
    }
    // Witnesses' cosignatures: time (8 bytes, big-endian) || Ed25519 over
    // "cosignature/v1\ntime <t>\n" and the checkpoint text.
    // Each witness counts once, however many of its lines the checkpoint carries; its vkey's
    // id must be the one its name, type 0x04 and key give.
    for (const vkey of proof.witnesses) {
      const witness = parseVkey(vkey);
      if (witness.type !== 4 || !equal(await keyId(witness), witness.id)) {
        throw new Refused("reasonKey");
      }
      let counted = false;
      for (const s of checkpoint.signatures) {
        if (s.name !== witness.name || !equal(s.raw.slice(0, 4), witness.id)) {
          continue;
        }
        const time = new DataView(s.raw.buffer, s.raw.byteOffset + 4, 8).getBigUint64(0);
        const message = concat(utf8(`cosignature/v1\ntime ${time}\n`), body);
        if (!(await ed25519(witness.key, s.raw.slice(12), message))) {
          throw new Refused("reasonSignature");
        }
        counted = true;
      }
      facts.cosigned += counted ? 1 : 0;
    }
    return ["verified", facts];
  }

  function details(facts) {
    const where = say("details")
      .replace("{index}", String(facts.index + 1))
      .replace("{size}", String(facts.size))
      .replace("{key}", facts.key);
    if (!facts.total) {
      return where;
    }
    const witnessed = say("witnesses")
      .replace("{count}", String(facts.cosigned))
      .replace("{total}", String(facts.total));
    return `${where} ${witnessed}`;
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
      const [outcome, facts] = await verify(bundle, box.dataset.disclosure);
      result.className = "proof-result verified";
      result.textContent = `✓ ${say(outcome)} ${details(facts)}`;
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
