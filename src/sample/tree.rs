//! The plan of the sample tree: which file goes where and what each one is there to exercise.
//! Every deliberate oddity listed in the module documentation is made here.

use std::io;
use std::path::Path;

use super::devices::{place, Device};
use super::write::Gen;
use super::{at, china_time, jpeg, media, Pattern, PhotoSpec};

pub(super) fn photos(g: &mut Gen) -> io::Result<()> {
    use place::*;
    use Device::*;

    // 西宁市 (the capital) submits by district.
    let d = "西宁市/城中区/A1 青少年科学素质";
    g.photo(
        &format!("{d}/青少年科技创新大赛_01.jpg"),
        Huawei.shot(
            at(2018, 5, 19, 9, 42, 7),
            Some(near(XINING_CHENGZHONG, 1)),
            101,
        ),
        "HUAWEI phone photo, GPS in 城中区, keyword 青少年 in the name",
    )?;
    g.photo(
        &format!("{d}/青少年科技创新大赛_02.jpg"),
        Huawei.shot(
            at(2018, 5, 19, 10, 3, 51),
            Some(near(XINING_CHENGZHONG, 2)),
            102,
        ),
        "second photo of the same event",
    )?;
    let mut portrait = Xiaomi.shot(
        at(2017, 9, 16, 9, 35, 12),
        Some(near(XINING_CHENGZHONG, 3)),
        103,
    );
    portrait.orientation = Some(6);
    portrait.subsec_original = Some("348".into());
    g.photo(
        "西宁市/城中区/D1 全国科普日/IMG_20170916_093512.jpg",
        portrait,
        "Xiaomi, orientation 6 (portrait), SubSecTimeOriginal",
    )?;
    g.photo(
        "西宁市/全民科学素质/DSC_0042.JPG",
        Nikon.shot(at(2016, 10, 15, 14, 20, 0), None, 104),
        "camera without GPS, big-endian EXIF, Software with trailing blanks; folder 全民科学素质",
    )?;

    // 海东市: 互助县 is the model submission (with a submission list), 乐都区 the misplaced one.
    let d = "海东市/互助县/B4.1科普大篷车";
    g.photo(
        &format!("{d}/IMG_20190612_101530.jpg"),
        Huawei.shot(at(2019, 6, 12, 10, 15, 30), Some(near(HUZHU, 4)), 105),
        "phone name with date, GPS in 互助县, folder code B4.1 without a space",
    )?;
    g.photo(
        &format!("{d}/IMG_20190612_103347.jpg"),
        Huawei.shot(at(2019, 6, 12, 10, 33, 47), Some(near(HUZHU, 5)), 106),
        "second photo of the same event",
    )?;
    g.photo(
        &format!("{d}/科普大篷车进校园.jpg"),
        Oppo.shot(at(2019, 6, 13, 15, 2, 44), Some(near(HUZHU, 6)), 107),
        "Chinese name (科普 search), GPS as degrees and decimal minutes",
    )?;
    g.photo(
        &format!("{d}/IMG_20190917_094510.jpg"),
        Huawei.shot(at(2019, 9, 17, 9, 45, 10), Some(near(HUZHU, 7)), 108),
        "the submission list assigns it to D1 全国科普日 although the folder says B4.1",
    )?;
    g.photo(
        "海东市/互助县/D3 科普之冬/IMG_20151220_142211.jpg",
        Vivo.shot(at(2015, 12, 20, 14, 22, 11), Some(near(HUZHU, 8)), 109),
        "taken in 2015, before the assessment period; GPS as one decimal-degree rational",
    )?;
    g.photo(
        "海东市/乐都区/A2 农牧民科学素质/农牧民培训现场.jpg",
        Xiaomi.shot(
            at(2018, 11, 6, 10, 12, 40),
            Some(near(XINING_CHENGZHONG, 9)),
            110,
        ),
        "GPS in 西宁市 although the folder says 海东市/乐都区",
    )?;
    g.photo(
        "海东市/乐都区/A2 农牧民科学素质/IMG_20181106_143005.jpg",
        Xiaomi.shot(at(2018, 11, 6, 14, 30, 5), Some(near(LEDU, 10)), 111),
        "GPS consistent with 乐都区",
    )?;

    // 海北州: an iPhone with an explicit zone, and an edited picture.
    let d = "海北州/海晏县/B4.2 流动科技馆巡展";
    g.photo(
        &format!("{d}/IMG_0421.JPG"),
        IPhone.shot(at(2018, 7, 8, 11, 5, 23), Some(near(HAIYAN, 11)), 112),
        "Apple, big-endian EXIF, OffsetTimeOriginal +08:00",
    )?;
    let mut edited = Canon.shot(at(2018, 7, 9, 16, 40, 2), None, 113);
    edited.software = Some("Adobe Photoshop CC 2019 (Windows)".into());
    edited.modify_date = Some(at(2019, 3, 2, 20, 11, 45));
    g.photo(
        &format!("{d}/展板设计.jpg"),
        edited,
        "edited: Software Adobe Photoshop CC 2019, ModifyDate months after capture",
    )?;

    // 黄南州 still under the county's old name.
    let d = "黄南州/同仁县/D4 科普与青海三区建设同行";
    g.photo(
        &format!("{d}/IMG_5523.JPG"),
        Canon.shot(at(2016, 8, 12, 10, 30, 0), None, 114),
        "Canon camera, no GPS; historical county name 同仁县",
    )?;
    // A name in GBK bytes, as Chinese zip tools leave them on Linux. Windows names are UTF-16
    // and cannot hold such bytes, so there the same file has its Unicode name.
    #[cfg(unix)]
    let name = {
        let gbk_name = encoding_rs::GBK.encode("会议照片.jpg").0.into_owned();
        crate::platform::path_from_bytes(&gbk_name)
    };
    #[cfg(not(unix))]
    let name = Path::new("会议照片.jpg").to_path_buf();
    let rel = Path::new(d).join(name);
    let spec = Canon.shot(at(2016, 8, 12, 14, 5, 31), None, 115);
    let bytes = jpeg::jpeg(&spec);
    let mtime = china_time(at(2016, 8, 12, 14, 7, 1));
    g.write(
        &rel,
        &bytes,
        mtime,
        "file name in GBK bytes (会议照片.jpg), not UTF-8",
        Some(spec),
    )?;
    g.summary.photos += 1;
    g.photo(
        &format!("{d}/IMG_20170620_161203.jpg"),
        Oppo.shot(at(2017, 6, 20, 16, 12, 3), Some(near(TONGREN, 12)), 116),
        "GPS in 同仁",
    )?;

    // 玉树州, far south-west.
    let d = "玉树州/称多县/A2 农牧民科学素质";
    g.photo(
        &format!("{d}/IMG_20200715_113045.jpg"),
        Vivo.shot(at(2020, 7, 15, 11, 30, 45), Some(near(CHENGDUO, 13)), 117),
        "GPS in 称多县",
    )?;
    let mut undated = Xiaomi.shot(at(2019, 1, 1, 0, 0, 0), None, 118);
    undated.zero_dates = true;
    undated.software = Some("MIUI Gallery".into());
    g.photo(
        &format!("{d}/宣传册封面.jpg"),
        undated,
        "EXIF dates all zero: no capture date",
    )?;

    // 海西州 and 海南州, 果洛州: a duplicate submitted by two prefectures.
    g.photo(
        "海西州/格尔木市/D2 科技活动周/IMG_20170521_154410.jpg",
        Oppo.shot(at(2017, 5, 21, 15, 44, 10), Some(near(GOLMUD, 14)), 119),
        "GPS in 格尔木市",
    )?;
    let dup = IPhone.shot(at(2018, 9, 15, 9, 58, 36), Some(near(GONGHE, 15)), 120);
    g.photo(
        "海南州/共和县/D1 全国科普日/科普日宣传.jpg",
        dup.clone(),
        "same bytes as 果洛州/玛沁县/D1 全国科普日/科普日活动.jpg",
    )?;
    g.photo(
        "果洛州/玛沁县/D1 全国科普日/科普日活动.jpg",
        dup,
        "duplicate of 海南州's photo under another prefecture; GPS in 共和县, not 玛沁县",
    )?;
    g.photo(
        "果洛州/玛沁县/A2 农牧民科学素质/IMG_20190823_150233.jpg",
        Xiaomi.shot(at(2019, 8, 23, 15, 2, 33), Some(near(MAQIN, 17)), 123),
        "GPS in 玛沁县, consistent with its folder",
    )?;
    let wechat = PhotoSpec {
        width: 540,
        height: 405,
        pattern: Pattern::Scene(121),
        quality: 70,
        ..PhotoSpec::default()
    };
    g.photo(
        "海南州/共和县/C5 社会动员与宣传/微信图片_20180903152233.jpg",
        wechat,
        "no EXIF at all (WeChat strips it); a date only in the name",
    )?;
    Ok(())
}

/// Files an inspector must see reported as unreadable.
pub(super) fn damaged(g: &mut Gen) -> io::Result<()> {
    let d = Path::new("玉树州/称多县/A2 农牧民科学素质");
    let full = jpeg::jpeg(&Device::Vivo.shot(
        at(2020, 7, 16, 9, 1, 12),
        Some(place::near(place::CHENGDUO, 16)),
        122,
    ));
    // An interrupted upload: header and EXIF intact, image data cut at 60 %.
    let cut = &full[..full.len() * 6 / 10];
    g.write(
        &d.join("IMG_20200716_090112.jpg"),
        cut,
        china_time(at(2020, 7, 16, 9, 2, 0)),
        "truncated JPEG: EXIF readable, image data cut off",
        None,
    )?;
    // Garbage after SOI: a file overwritten by something else but keeping its first bytes.
    let mut garbage = vec![0xFF, 0xD8];
    let mut x: u32 = 0x1234_5678;
    for _ in 0..4000 {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        garbage.push((x & 0x7F) as u8); // never 0xFF, so no marker can appear
    }
    g.write(
        &d.join("IMG_20200716_090530.jpg"),
        &garbage,
        china_time(at(2020, 7, 16, 9, 6, 0)),
        "corrupt JPEG: garbage after the start-of-image marker",
        None,
    )?;
    g.summary.damaged += 2;
    g.summary.photos += 2;
    Ok(())
}

/// Notes and submission lists.
///
/// EXTEND HERE: DOCX, XLSX, PPTX, PDF and MP4 evidence from the `media` writers go in this
/// function, next to the text files, each through `g.document(...)` (or `g.write(...)` for
/// videos with their own capture time) with a line saying what the file exercises.
pub(super) fn documents(g: &mut Gen) -> io::Result<()> {
    g.document(
        Path::new("西宁市/城中区/A1 青少年科学素质/活动说明.txt"),
        "2018年5月19日，城中区在第一中学举办青少年科技创新大赛，\n\
         展示学生科技制作与科普作品，共有32所学校参加。\n\
         照片：青少年科技创新大赛_01.jpg、青少年科技创新大赛_02.jpg\n"
            .as_bytes(),
        "UTF-8 note; searchable Chinese text",
    )?;

    let gbk_note = "称多县农牧民科普培训工作记录\r\n\
                    2020年7月15日至16日，在称文镇开展农牧民实用技术与科普知识培训，\r\n\
                    发放科普宣传册300份，参加群众120人次。\r\n";
    g.document(
        Path::new("玉树州/称多县/A2 农牧民科学素质/工作记录.txt"),
        &encoding_rs::GBK.encode(gbk_note).0,
        "GBK-encoded note (Windows Notepad default) mentioning 科普",
    )?;

    // Excel's "CSV UTF-8" export: a BOM, CRLF line ends.
    let list = "\u{FEFF}序号,文件名,指标\r\n\
                1,IMG_20190612_101530.jpg,B4.1 科普大篷车\r\n\
                2,IMG_20190612_103347.jpg,B4.1 科普大篷车\r\n\
                3,科普大篷车进校园.jpg,科普大篷车\r\n\
                4,IMG_20190917_094510.jpg,D1 全国科普日\r\n\
                5,活动总结.docx,B4.1 科普大篷车\r\n";
    g.document(
        Path::new("海东市/互助县/B4.1科普大篷车/材料清单.csv"),
        list.as_bytes(),
        "submission list: file → indicator by code and by name; reassigns one photo to D1; lists a file never submitted",
    )?;

    // Meeting minutes as Word and WPS export them, a ledger, slides, and phone videos.
    g.document(
        Path::new("海东市/互助县/B4.1科普大篷车/科普大篷车进校园活动总结.docx"),
        &media::docx(
            "互助县科普大篷车进校园活动总结",
            "互助县科协",
            "2019-06-20T09:30:00+08:00",
            &[
                "2019年6月12日至13日，互助县科协组织科普大篷车走进威远镇中心学校。",
                "活动展出科普展品32件，发放科普读物500册，参与师生1200人次。",
            ],
        ),
        "DOCX minutes: Chinese body text, core.xml title/author/created (a fallback capture date)",
    )?;
    g.document(
        Path::new("海北州/海晏县/B4.2 流动科技馆巡展/巡展工作方案.pdf"),
        &media::pdf(
            "海晏县中国流动科技馆巡展工作方案",
            "海晏县科协",
            "D:20180701100000+08'00'",
            &[
                "中国流动科技馆海晏县巡展工作方案",
                "巡展时间：2018年7月8日至9月8日，地点：西海镇。",
            ],
        ),
        "PDF as Word/WPS export Chinese (UniGB-UCS2-H, unembedded STSong-Light)",
    )?;
    g.document(
        Path::new("果洛州/玛沁县/科普工作台账2019.xlsx"),
        &media::xlsx(&[(
            "科普活动台账",
            vec![
                vec!["日期".into(), "活动名称".into(), "参与人数".into()],
                vec![
                    "2019-03-12".into(),
                    "科技之春宣传月启动仪式".into(),
                    "260".into(),
                ],
                vec![
                    "2019-09-17".into(),
                    "全国科普日玛沁主场活动".into(),
                    "540".into(),
                ],
            ],
        )]),
        "XLSX ledger: cell text of every sheet, the sheet name",
    )?;
    g.document(
        Path::new("西宁市/城中区/D1 全国科普日/科普日工作汇报.pptx"),
        &media::pptx(
            "城中区全国科普日工作汇报",
            "城中区科协",
            &[
                ("城中区2017年全国科普日活动", "讲稿：感谢各单位支持"),
                ("主场活动在中心广场举办", ""),
            ],
        ),
        "PPTX slides and speaker notes",
    )?;
    g.document(
        Path::new("黄南州/同仁县/D4 科普与青海三区建设同行/会议纪要.doc"),
        b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0>\0\x03\0\xFE\xFF\x09\0",
        "legacy binary Word (.doc): catalogued and hashed, text not extracted, with the reason",
    )?;
    let utc = |s: &str| {
        chrono::DateTime::parse_from_rfc3339(s)
            .unwrap()
            .with_timezone(&chrono::Utc)
    };
    g.document(
        Path::new("海东市/互助县/B4.1科普大篷车/VID_20190612_103812.mp4"),
        &media::mp4(
            utc("2019-06-12T02:38:12Z"),
            42.5,
            1280,
            720,
            Some((36.8403, 101.9509)),
            Some(("HUAWEI", "VOG-AL00")),
        ),
        "Android phone video: mvhd UTC time, duration, ©xyz GPS in 互助县",
    )?;
    g.document(
        Path::new("海西州/格尔木市/D2 科技活动周/科技活动周开幕式.mov"),
        &media::mp4_with(&media::Mp4Spec {
            creation: utc("2017-05-21T07:50:00Z"),
            duration_s: 18.0,
            width: 1920,
            height: 1080,
            gps: Some((36.4021, 94.9031)),
            make_model: Some(("Apple", "iPhone 7")),
            apple_creationdate: Some(
                chrono::DateTime::parse_from_rfc3339("2017-05-21T15:50:00+08:00").unwrap(),
            ),
            brand: *b"qt  ",
        }),
        "iPhone MOV: Apple creationdate key with its own offset, mdta make/model",
    )?;
    Ok(())
}
