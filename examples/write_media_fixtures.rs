//! Writes the generated media fixtures into a folder so that independent readers (exiftool,
//! pdftotext, LibreOffice) can check them: `cargo run --example write_media_fixtures -- DIR`.

use archive::sample::media;
use chrono::{TimeZone, Utc};

fn main() -> std::io::Result<()> {
    let dir = std::path::PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "fixtures-out".into()),
    );
    std::fs::create_dir_all(&dir)?;
    let t = Utc.with_ymd_and_hms(2019, 3, 15, 2, 30, 0).unwrap();
    let files: Vec<(&str, Vec<u8>)> = vec![
        (
            "活动.mp4",
            media::mp4(
                t,
                12.345,
                1920,
                1080,
                Some((36.6171, 101.7782)),
                Some(("HUAWEI", "VOG-AL00")),
            ),
        ),
        (
            "纪要.pdf",
            media::pdf(
                "互助县科普工作会议纪要",
                "互助县科协",
                "D:20190315103000+08'00'",
                &[
                    "全民科学素质行动计划纲要\n第二行：科普大篷车",
                    "第二页：青海湖",
                ],
            ),
        ),
        (
            "纪要-tounicode.pdf",
            media::pdf_tounicode(
                "标题",
                "作者",
                "D:20200101000000+08'00'",
                &["海西州科技馆开馆"],
            ),
        ),
        (
            "纪要.docx",
            media::docx(
                "海东市科普工作会议纪要",
                "王主任",
                "2019-03-15T10:30:00+08:00",
                &["全民科学素质行动计划纲要", "互助县开展科普大篷车活动"],
            ),
        ),
        (
            "汇报.pptx",
            media::pptx(
                "科普日活动汇报",
                "格尔木市科协",
                &[("第一张：科普日主场活动", "讲稿：参加人数三百人")],
            ),
        ),
        (
            "清单.xlsx",
            media::xlsx(&[(
                "材料清单",
                vec![
                    vec!["文件名称".into(), "指标代码".into()],
                    vec!["科普.jpg".into(), "B4.1".into()],
                ],
            )]),
        ),
        ("encrypted.pdf", media::encrypted_pdf()),
        ("bomb.xlsx", media::zip_bomb_xlsx()),
    ];
    for (name, data) in files {
        std::fs::write(dir.join(name), data)?;
    }
    Ok(())
}
