"""The interviewer agent: a phased, time-boxed interview that probes what answers lack."""
