//! Genre normalisation: from raw catalogue subjects to one clean vocabulary.
