//! Errors a use case reports to a person, in Chinese.

use crate::sheets::{Problem, SheetError};
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("用户 {login}（{roles}）无权{action}")]
    Denied {
        login: String,
        roles: String,
        action: &'static str,
    },
    #[error("未找到{0}")]
    NotFound(String),
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    Identity(String),
    #[error("文件有{}处问题，未导入任何数据", .0.len())]
    Rejected(Vec<Problem>),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Sheet(#[from] SheetError),
}

impl From<rusqlite::Error> for ServiceError {
    fn from(e: rusqlite::Error) -> Self {
        ServiceError::Store(StoreError::from(e))
    }
}

pub type Result<T> = std::result::Result<T, ServiceError>;
