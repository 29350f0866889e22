//! `publish DIR`: the static public site (一公开), see docs/draw.md "公开网站".

use std::path::PathBuf;

use super::{Cli, CliResult, Failure, output};

#[derive(Debug, clap::Args)]
pub struct PublishArgs {
    /// 网站目录（不存在时创建；已存在且不是 publish 创建的目录须加 --force）
    pub dir: PathBuf,
    /// 年度（默认今年）
    #[arg(long, value_parser = super::year)]
    pub year: Option<i32>,
    /// 写入不是 publish 创建的已有目录（同名文件被替换）
    #[arg(long)]
    pub force: bool,
}

pub fn publish(cli: &Cli, a: &PublishArgs) -> CliResult {
    // A site is a directory of files: it cannot go to standard output (nor, so, over SSH).
    if super::stdio::is_stdio(&a.dir) {
        return Err(Failure::Message(
            "网站目录不能是“-”：公开网站是一个目录，请在本机指定目录名".to_string(),
        ));
    }
    let mut s = cli.open()?;
    let year = a.year.unwrap_or_else(|| chrono::Datelike::year(&s.today()));
    let r = s.publish_site(&a.dir, year, a.force)?;
    output::say(&format!(
        "已生成{year}年公开网站：{}（{}个文件，公示结果{}条）",
        r.dir,
        r.files.len(),
        r.published_rows
    ));
    for (id, stage) in &r.draws {
        output::say(&format!("  抽取 {id}：{}", stage.label()));
    }
    output::say("把整个目录复制到本局网站即可；index.html 可直接用浏览器打开。");
    Ok(())
}
