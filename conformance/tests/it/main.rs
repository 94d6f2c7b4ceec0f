//! Every corpus file through every path it belongs to.

mod corpus;
