package contracts

// SchemaVersion is the version of the queue envelope and of the stored order
// item written by this module. Readers reject any other version with
// [ErrUnsupportedSchemaVersion] rather than guess at a shape they do not know.
const SchemaVersion = 1
