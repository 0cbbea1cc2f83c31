// Stands in for `mime-db` (134 KB) in the Lambda bundles. Only axios → form-data → mime-types loads
// it, to name the content type of files attached to multipart forms; Tributary never sends one
// (form-data then falls back to application/octet-stream). Wired by `alias` in serverless.yml.
module.exports = {};
