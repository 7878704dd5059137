//! `trials.parquet`: the table of `trials.csv` with types. `trial` is a required INT64, every
//! sampled parameter and metric an optional DOUBLE (null where `trials.csv` has an empty cell: a
//! value that is not finite). One row group, PLAIN encoding, uncompressed; the file's key-value
//! metadata holds `chokepoint.schema_version` (`json::SCHEMA_VERSION`) and `chokepoint.scenario`.
//! Written with the `parquet` crate without its default features (no Arrow, no codecs).

use std::sync::Arc;

use parquet::basic::{Compression, Encoding, Repetition, Type as Physical};
use parquet::column::writer::ColumnWriter;
use parquet::errors::ParquetError;
use parquet::file::metadata::KeyValue;
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::Type;

use crate::run::RunResults;
use crate::scenario::Meta;

use super::json::SCHEMA_VERSION;

/// Key of the schema version in the file's key-value metadata.
pub const SCHEMA_VERSION_KEY: &str = "chokepoint.schema_version";
/// Key of the scenario's name in the file's key-value metadata.
pub const SCENARIO_KEY: &str = "chokepoint.scenario";

/// `trials.parquet` of `results`, in memory. Fails only if the `parquet` crate does (a column
/// name it refuses); the message says so.
pub fn trials_parquet(meta: &Meta, results: &RunResults) -> Result<Vec<u8>, String> {
    write(meta, results).map_err(|e| format!("could not encode trials.parquet: {e}"))
}

fn write(meta: &Meta, results: &RunResults) -> Result<Vec<u8>, ParquetError> {
    let mut fields = vec![Arc::new(
        Type::primitive_type_builder("trial", Physical::INT64)
            .with_repetition(Repetition::REQUIRED)
            .build()?,
    )];
    for name in results.param_paths.iter().chain(&results.metric_names) {
        fields.push(Arc::new(
            Type::primitive_type_builder(name, Physical::DOUBLE)
                .with_repetition(Repetition::OPTIONAL)
                .build()?,
        ));
    }
    let schema = Arc::new(
        Type::group_type_builder("trials")
            .with_fields(fields)
            .build()?,
    );
    let props = WriterProperties::builder()
        .set_compression(Compression::UNCOMPRESSED)
        .set_dictionary_enabled(false)
        .set_encoding(Encoding::PLAIN)
        .set_statistics_enabled(EnabledStatistics::Chunk)
        .set_created_by(format!("chokepoint {}", env!("CARGO_PKG_VERSION")))
        .set_key_value_metadata(Some(vec![
            KeyValue::new(SCHEMA_VERSION_KEY.into(), SCHEMA_VERSION.to_string()),
            KeyValue::new(SCENARIO_KEY.into(), meta.name.clone()),
        ]))
        .build();
    let mut out = Vec::new();
    let mut file = SerializedFileWriter::new(&mut out, schema, Arc::new(props))?;
    let mut group = file.next_row_group()?;
    let (n, np, nm) = (
        results.trials,
        results.param_paths.len(),
        results.metric_names.len(),
    );
    let mut col = 0;
    let mut values = Vec::with_capacity(n);
    let mut defined = Vec::with_capacity(n);
    while let Some(mut c) = group.next_column()? {
        match c.untyped() {
            ColumnWriter::Int64ColumnWriter(w) => {
                let trials: Vec<i64> = (0..n as u64)
                    .map(|i| (results.first_trial + i) as i64)
                    .collect();
                w.write_batch(&trials, None, None)?;
            }
            ColumnWriter::DoubleColumnWriter(w) => {
                let (data, k, width) = if col <= np {
                    (&results.params, col - 1, np)
                } else {
                    (&results.metrics, col - 1 - np, nm)
                };
                values.clear();
                defined.clear();
                for i in 0..n {
                    let x = data[i * width + k];
                    defined.push(i16::from(x.is_finite()));
                    if x.is_finite() {
                        values.push(x);
                    }
                }
                w.write_batch(&values, Some(&defined), None)?;
            }
            _ => {
                return Err(ParquetError::General(
                    "trials.parquet has only INT64 and DOUBLE columns".into(),
                ));
            }
        }
        c.close()?;
        col += 1;
    }
    group.close()?;
    file.close()?;
    Ok(out)
}
