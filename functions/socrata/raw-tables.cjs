// The Resource list of socrata's OwnRawTables statement, at package time: the catalog, the database
// and exactly one raw table per dataset of the stage's `socrataDatasets` param (Socrata's streams
// come from that param, so function.yml cannot list them). Same rule as src/datasets.ts: a dataset
// `[name=]xxxx-xxxx` is the stream `name`, else `dataset_<id with _>`; its table is
// `raw_<source with _>_<stream>`. test/stepfunctions/template.test.ts checks the packaged list
// against the definition's streams. `rawTables` serves the socrata-csv source too.
const DATASET = /^(?:([a-z][a-z0-9_]*)=)?([a-z0-9]{4}-[a-z0-9]{4})$/;

/** The resolver for the raw tables of `source`, whose datasets the stage's `param` lists. */
const rawTables =
  (param, source) =>
  async ({ resolveVariable }) => {
    const datasets = String(await resolveVariable(`param:${param}`));
    const database = await resolveVariable('self:custom.glueDatabase');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub string
    const glue = 'arn:${AWS::Partition}:glue:${AWS::Region}:${AWS::AccountId}';
    const streams = datasets
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean)
      .map((entry) => {
        const match = DATASET.exec(entry);
        if (!match) throw new Error(`${param}: "${entry}" is not [name=]xxxx-xxxx`);
        return match[1] ?? `dataset_${match[2].replace('-', '_')}`;
      });
    const prefix = `raw_${source.replaceAll('-', '_')}_`;
    return [
      { 'Fn::Sub': `${glue}:catalog` },
      { 'Fn::Sub': `${glue}:database/${database}` },
      ...streams.map((stream) => ({ 'Fn::Sub': `${glue}:table/${database}/${prefix}${stream}` })),
    ];
  };

module.exports = rawTables('socrataDatasets', 'socrata');
module.exports.rawTables = rawTables;
