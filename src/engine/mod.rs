//! One trial: the period loop of MODEL.md section 4. Pure: no IO, no clock, no allocation per trial.
