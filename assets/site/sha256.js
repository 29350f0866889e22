// SHA-256 (FIPS 180-4), synchronous, for the draw verifier. Written for this project (no
// licence beyond the project's); tested against Node's crypto and the golden vectors
// (tests/js/verify.test.js). Input: a Uint8Array. Output: a Uint8Array of 32 bytes.
var SSJ_SHA256 = (function () {
  "use strict";
  var K = new Uint32Array([
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
  ]);
  var W = new Uint32Array(64);

  function block(H, m, off) {
    var i, t1, t2;
    for (i = 0; i < 16; i++) {
      W[i] = (m[off + 4 * i] << 24) | (m[off + 4 * i + 1] << 16) | (m[off + 4 * i + 2] << 8) | m[off + 4 * i + 3];
    }
    for (i = 16; i < 64; i++) {
      var x = W[i - 15], y = W[i - 2];
      var s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
      var s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
      W[i] = (W[i - 16] + s0 + W[i - 7] + s1) | 0;
    }
    var a = H[0], b = H[1], c = H[2], d = H[3], e = H[4], f = H[5], g = H[6], h = H[7];
    for (i = 0; i < 64; i++) {
      var S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      var ch = (e & f) ^ (~e & g);
      t1 = (h + S1 + ch + K[i] + W[i]) | 0;
      var S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      var maj = (a & b) ^ (a & c) ^ (b & c);
      t2 = (S0 + maj) | 0;
      h = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
    }
    H[0] = (H[0] + a) | 0; H[1] = (H[1] + b) | 0; H[2] = (H[2] + c) | 0; H[3] = (H[3] + d) | 0;
    H[4] = (H[4] + e) | 0; H[5] = (H[5] + f) | 0; H[6] = (H[6] + g) | 0; H[7] = (H[7] + h) | 0;
  }

  var IV = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];

  // The state after the whole 64-byte blocks of `bytes` (a prefix hashed once, then continued
  // by `digestFrom` for many suffixes: the ticket of every id under one seed).
  function midstate(bytes) {
    if (bytes.length % 64 !== 0) throw new Error("midstate needs whole blocks");
    var H = new Int32Array(IV);
    for (var off = 0; off < bytes.length; off += 64) block(H, bytes, off);
    return H;
  }

  // The digest of prefix ‖ rest, where `mid` is `midstate(prefix)` and `done` its length.
  function digestFrom(mid, done, rest) {
    var H = new Int32Array(mid);
    var n = rest.length;
    var full = n - (n % 64);
    for (var off = 0; off < full; off += 64) block(H, rest, off);
    var tail = new Uint8Array((n % 64) < 56 ? 64 : 128);
    tail.set(rest.subarray(full));
    tail[n - full] = 0x80;
    var bits = (done + n) * 8;
    var hi = Math.floor(bits / 4294967296), lo = bits >>> 0;
    var L = tail.length;
    tail[L - 8] = hi >>> 24; tail[L - 7] = hi >>> 16; tail[L - 6] = hi >>> 8; tail[L - 5] = hi;
    tail[L - 4] = lo >>> 24; tail[L - 3] = lo >>> 16; tail[L - 2] = lo >>> 8; tail[L - 1] = lo;
    for (off = 0; off < L; off += 64) block(H, tail, off);
    var out = new Uint8Array(32);
    for (var i = 0; i < 8; i++) {
      out[4 * i] = H[i] >>> 24; out[4 * i + 1] = H[i] >>> 16; out[4 * i + 2] = H[i] >>> 8; out[4 * i + 3] = H[i];
    }
    return out;
  }

  function digest(bytes) {
    return digestFrom(new Int32Array(IV), 0, bytes);
  }

  var HEX = [];
  for (var i = 0; i < 256; i++) HEX.push((i < 16 ? "0" : "") + i.toString(16));
  function hex(d) {
    var parts = new Array(d.length);
    for (var i = 0; i < d.length; i++) parts[i] = HEX[d[i]];
    return parts.join("");
  }
  var enc = new TextEncoder();
  return {
    digest: digest,
    midstate: midstate,
    digestFrom: digestFrom,
    hex: hex,
    utf8: function (s) { return enc.encode(s); },
    // Hex SHA-256 of the UTF-8 text.
    text: function (s) { return hex(digest(enc.encode(s))); }
  };
})();
if (typeof module !== "undefined") module.exports.SSJ_SHA256 = SSJ_SHA256;
