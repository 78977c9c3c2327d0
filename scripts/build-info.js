// Reads the build info that native/core/build_info.cpp embeds in the addon, without loading it:
// {libtorch: "1.13.0", cuda: false}, or undefined for a file that is not an lrp-node binary.
'use strict';

const fs = require('fs');

const MARKER = 'LRP_NODE_BUILD_INFO:';

function readBuildInfo(file) {
  const bytes = fs.readFileSync(file);
  const start = bytes.indexOf(MARKER);
  if (start < 0) return undefined;
  const end = bytes.indexOf(':END', start);
  try {
    return JSON.parse(bytes.subarray(start + MARKER.length, end).toString('utf8'));
  } catch {
    return undefined;
  }
}

module.exports = { readBuildInfo };
