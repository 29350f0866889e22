//! 工作日历 (working-day calendar).
