// The Resource list of socrata-csv's OwnRawTables statement, at package time: one raw table per
// dataset of the stage's `socrataCsvDatasets` param, `raw_socrata_csv_<stream>`, by the socrata
// source's rule (functions/socrata/raw-tables.cjs). test/stepfunctions/template.test.ts checks it.
module.exports = require('../socrata/raw-tables.cjs').rawTables('socrataCsvDatasets', 'socrata-csv');
