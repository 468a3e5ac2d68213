// Cloudron's own manifest validator (npm cloudron-manifestformat) on one file.
// Usage: node validate_manifest.js MANIFEST DOCKER_IMAGE
// Prints {"parse": error|null, "appstore": error|null} and exits 1 on any error.
'use strict';

const manifestformat = require('cloudron-manifestformat');

const [manifestPath, dockerImage] = process.argv.slice(2);
const { manifest, error } = manifestformat.parseFile(manifestPath);
// `cloudron build` adds dockerImage at publish time; the app store checks it then.
const appstore = manifest
    ? manifestformat.checkAppstoreRequirements({ ...manifest, dockerImage })
    : null;
const result = { parse: error ? error.message : null, appstore: appstore ? appstore.message : null };
console.log(JSON.stringify(result));
process.exit(result.parse || result.appstore || !manifest ? 1 : 0);
