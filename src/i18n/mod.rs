//! Every text the pages show, once per language: the interface speaks Chinese first and English
//! on request (`lang=en`), while the evidence itself stays as written.
//!
//! A message is a [`Msg`] key; [`zh`] and [`en`] each answer every key with an exhaustive
//! `match`, so a key without a translation does not compile. Keys are stable codes (the
//! variant's name, see [`Msg::code`]): the CLI's messages and the flags' reasons are meant to
//! move here under the same scheme.
//!
//! Parameters are named placeholders in the text, `{name}`, filled by [`Lang::fill`] with
//! `(name, value)` pairs. A key declares its parameters (`PageOf(page, pages)` in the list
//! below, see [`Msg::params`]); a translation may reorder them or leave one out (Chinese
//! writes a month as `6月`, English as `2019-06`), but uses no other (a test checks). Where a page wants markup
//! around a parameter (a bold count), the template asks [`Lang::around`] for the text before
//! and after the placeholder and writes the markup itself, so no message holds HTML and every
//! value stays auto-escaped by the template.

mod en;
mod zh;

use std::fmt::Display;

/// The interface language. Chinese unless the request says otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    /// The BCP 47 tag for `<html lang>`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    /// The other language, for the page's language switch.
    pub fn other(self) -> Lang {
        match self {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        }
    }

    /// The short name used in URLs (`lang=en`) and stored by the page's script.
    pub fn short(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }

    /// `zh`/`zh-CN`/`chinese` or `en`/`english` (any case), as typed after `--lang`.
    pub fn parse(s: &str) -> Option<Lang> {
        let s = s.trim().to_ascii_lowercase();
        if s.starts_with("zh") || s == "chinese" || s == "中文" {
            Some(Lang::Zh)
        } else if s.starts_with("en") || s == "english" {
            Some(Lang::En)
        } else {
            None
        }
    }

    /// The language a terminal's locale asks for, as POSIX orders the variables: the first
    /// of `LC_ALL`, `LC_MESSAGES`, `LANG` that is set and not empty decides; `zh*` is Chinese,
    /// anything else (`C`, `en_US.UTF-8`, `POSIX`) English, and no locale at all English.
    pub fn from_locale(get: impl Fn(&str) -> Option<String>) -> Lang {
        ["LC_ALL", "LC_MESSAGES", "LANG"]
            .iter()
            .find_map(|v| get(v).filter(|s| !s.trim().is_empty()))
            .map(|s| {
                if s.trim().to_ascii_lowercase().starts_with("zh") {
                    Lang::Zh
                } else {
                    Lang::En
                }
            })
            .unwrap_or(Lang::En)
    }

    /// The text of `m` in this language.
    pub fn t(self, m: Msg) -> &'static str {
        match self {
            Lang::Zh => zh::text(m),
            Lang::En => en::text(m),
        }
    }

    /// The text of `m` with each `{name}` replaced by its value.
    pub fn fill(self, m: Msg, args: &[(&str, &dyn Display)]) -> String {
        let mut s = self.t(m).to_string();
        for (name, value) in args {
            s = s.replace(&format!("{{{name}}}"), &value.to_string());
        }
        s
    }

    /// The text of `m` before and after its placeholder `{name}` (the whole text and "" when
    /// there is none), so that a template can mark up the value between them.
    pub fn around(self, m: Msg, name: &str) -> (&'static str, &'static str) {
        let s = self.t(m);
        s.split_once(&format!("{{{name}}}")).unwrap_or((s, ""))
    }
}

macro_rules! messages {
    ($($(#[$doc:meta])* $key:ident $(($($param:ident),*))?,)*) => {
        /// The key of one message. The variant's name is its stable code.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Msg {
            $($(#[$doc])* $key,)*
        }

        impl Msg {
            /// Every key, for checks over the whole catalogue.
            pub const ALL: &'static [Msg] = &[$(Msg::$key,)*];

            /// The stable code of the message (its variant's name).
            pub fn code(self) -> &'static str {
                match self {
                    $(Msg::$key => stringify!($key),)*
                }
            }

            /// The key whose code is `code` (see [`Msg::code`]).
            pub fn from_code(code: &str) -> Option<Msg> {
                match code {
                    $(stringify!($key) => Some(Msg::$key),)*
                    _ => None,
                }
            }

            /// The names of the message's parameters; a translation uses any of them.
            pub fn params(self) -> &'static [&'static str] {
                match self {
                    $(Msg::$key => &[$($(stringify!($param)),*)?],)*
                }
            }
        }
    };
}

messages! {
    // ---- layout
    AppName,
    NavSearch,
    NavLedger,
    NavCollections,
    NavUsers,
    /// The language switch: the name of the other language.
    OtherLanguage,
    LocalMode,
    LocalModeHint,
    SignIn,
    SignOut,
    // ---- errors
    ErrorTitle,
    NotFoundTitle,
    NoSuchPage,
    BackToSearch,
    // ---- media
    MediaPhoto,
    MediaVideo,
    MediaDocument,
    MediaOther,
    // ---- flags
    FlagGpsOutsidePrefecture,
    FlagDateOutsidePeriod,
    FlagDuplicateAcrossSubmissions,
    FlagPossiblyEdited,
    FlagNoCaptureDate,
    FlagNoIndicator,
    FlagUnreadable,
    // ---- tag sources
    SourceManual,
    SourceManifest,
    SourcePath,
    SourceKeyword,
    SourceGps,
    // ---- search fields
    FieldPrefecture,
    FieldCounty,
    FieldPlace,
    FieldIndicator,
    FieldType,
    FieldYear,
    FieldMonth,
    FieldCamera,
    FieldFlag,
    FieldStatus,
    FieldName,
    FieldPath,
    FieldText,
    FieldBlake3,
    FieldOther,
    // ---- record status
    StatusPresent,
    StatusMissing,
    // ---- facets
    FacetDate,
    FacetFlags,
    NoDate,
    FacetYear(year),
    /// `month` is 1–12, `mm` 01–12.
    FacetMonth(year, month, mm),
    FilterChip(label, value),
    // ---- map and timeline
    MapAria,
    MapHeading,
    MapNoGps,
    MapDot,
    CaptureMonths,
    // ---- search page
    SearchPlaceholder,
    Sort,
    SortRelevance,
    SortNewest,
    SortOldest,
    Syntax,
    RemoveFilter,
    ClearAll,
    PlaceUnknown,
    NoIndicator,
    NoCaptureDate,
    SearchCouldNotRun,
    SearchHint,
    ResultsTotal(n),
    NoMatch,
    NoMatchHint,
    Previous,
    Next,
    PageOf(page, pages),
    SyntaxTitle,
    SyntaxBoth,
    SyntaxPhrase,
    SyntaxAnyOrder,
    SyntaxEither,
    SyntaxWithout,
    SyntaxPlace,
    SyntaxIndicatorDate,
    SyntaxTypeCameraFlag,
    SyntaxFields,
    SyntaxHash,
    // ---- record page
    Download,
    Where,
    TagsAndSources,
    Value,
    Source,
    Evidence,
    Metadata,
    SameContent,
    TextExcerpt,
    NoTags,
    NoneTitle,
    NoneLower,
    WeakerSource,
    MetaPathBytes,
    MetaSize,
    Bytes(n),
    LastSeen,
    Captured,
    Modified,
    Software,
    Pixels,
    Orientation,
    Duration,
    Pages,
    DocTitle,
    Author,
    DocCreated,
    TextStatus,
    // ---- ledger
    ByCounty,
    Total,
    Files,
    LedgerTitle,
    LedgerTitleCounty(name),
    LedgerNote(empty),
    WholeProvince,
    // ---- curation on the search and record pages
    Curation,
    AddToCollection,
    CodeOrName,
    Reason,
    Retag,
    History,
    AddAllResults(n),
    // ---- sign-in
    LocalModeNote,
    UserName,
    Password,
    WrongPassword,
    /// Sign-in refused for a while after repeated failures.
    TooManySignIns(seconds),
    // ---- collections
    NoCollections,
    Collection,
    Description,
    Items,
    Accepted,
    Rejected,
    NewCollection,
    CollectionName,
    Create,
    CollectionTitle(name),
    CollectionCounts(items, accepted, rejected),
    IncludeRejected,
    DownloadPackage,
    RenameDescribe,
    NewName,
    Rename,
    Save,
    NoItemsYet,
    ReviewPending,
    ReviewAccepted,
    ReviewRejected,
    Accept,
    Reject,
    MarkPending,
    RejectReason,
    MoveUp,
    MoveDown,
    RemoveReason,
    Remove,
    // ---- users
    User,
    Role,
    AddUser,
    RoleViewer,
    RoleCurator,
    RoleAdmin,
    Add,
    OptionalReason,
    // ---- the exported package's index.html
    ExportMeta(date, n),
    ExportVerifyOr,
    ExportAllPrefectures,
    ExportAllIndicators,
    ExportAllReviews,
    ExportFilterPlaceholder,
    ExportNoScript,
    // ---- problems met while reading a file (src/problem.rs)
    SeverityError,
    SeverityWarning,
    SeverityNote,
    ProbFileVanished,
    ProbFileChanged,
    ProbPermissionDenied,
    ProbReadFailed(detail),
    ProbLinkNotFollowed,
    ProbLinkOutsideRoot(target),
    ProbSpecialFile,
    ProbFolderLoop(target),
    ProbEmptyFile,
    ProbExtractCrashed(detail),
    ProbExtractTimeout(seconds),
    ProbImageDamaged(detail),
    ProbJpegTruncated,
    ProbNotAnImage,
    ProbExifLayoutQuirk(detail),
    ProbExifUnreadable(detail),
    ProbExifTruncated,
    ProbDateInvalid(tag, value),
    ProbDatePlaceholder(tag, value),
    ProbOffsetInvalid(tag, value),
    ProbGpsInvalid(detail),
    ProbVideoUnreadable(detail),
    ProbVideoTruncated(detail),
    ProbVideoMetadataPartial(detail),
    ProbPdfInvalid(detail),
    ProbPdfEncrypted,
    ProbPdfPagesUnread(detail),
    ProbPdfNoText,
    ProbOfficeEncrypted,
    ProbContainerInvalid(detail),
    ProbContainerTooLarge(detail),
    ProbDocumentPartUnread(detail),
    ProbSheetInvalid(detail),
    ProbSheetPartlyRead(sheet, detail),
    ProbTextCut(kept, total, cap),
    ProbTextNotExtracted(format),
    ProbTextUndecodable(detail),
    ProbManifestUnreadable(detail),
    ProbLegacy(detail),

    // ---- capture dates (helper: dates)
    EvidenceMonths,
    SortEvidenceNewest,
    SortEvidenceOldest,
    FacetEvidenceDate,
    ProbDateIsModifyDate,
    ProbPhotoMetadataUnreadable(detail),
    ProbVideoDatesDiffer(taken, source, other, other_source),
    DateKindCaptured,
    DateKindDocCreated,
    DocModified,
    CapturedAlt,
    EvidenceDate,
    CapturedIsModifyDate,

    // ---- submission lists (helper: manifests)
    ProbManifestNoHeader,
    ProbManifestNoFileColumn(header),
    ProbManifestNoIndicatorColumn(header),
    ProbManifestNoRows(at),

    // ---- flags' reasons and the command line (lead)
    RelaxWithout(what, n),
    QueryNotFlag(value, known),
    QueryNotStatus(value),
    QueryUnknownFilter(field, fields),
    QueryUnknownField(field, fields),
    QueryBadFacetValue(value),
    QueryBadBlake3Regex(value, detail),
    QueryBadBlake3(value),
    QueryTooDeep,
    QueryUnclosed,
    QueryUnopened,
    QueryTooLong(max),
    QueryNotIndicator(value),
    QueryNotMedia(value),
    QueryNotPlace(value),
    QueryNotYear(value),
    QueryNotMonth(value),
    FlagWhyDocBefore(date, source, start, end),
    CliCollectionCounts(items, accepted, rejected),
    CliCollectionHead(name, items),
    CliAuditBroken(seq, problem),
    CliAuditIntact(n),
    CliNoUsers,
    CliReindexed(n),
    CliRetagged(changed, updated),
    CliSampleWritten(path, n),
    CliCollectionCreated(name),
    CliCollectionRenamed(name, new_name),
    CliCollectionDescribed(name),
    CliCollectionAdded(added, name, already),
    CliCollectionRemoved(n, name),
    CliMoved(to),
    CliReviewMissing,
    CliReviewed(n, state),
    CliCollectionDeleted(name),
    CliTagMissing,
    CliTagSet(n, code, name, updated),
    CliTagCleared(n, updated),
    CliUserAdded(name, role),
    CliUserRemoved(name),
    CliPasswordChanged(name),
    CliRoleSet(name, role),
    CliByCountyNeedsPrefecture,
    CliLedgerWritten(path),
    CliXlsxNeedsOut,
    CliNotInCatalog(target, archive),
    CliBadFilter(filter),
    CliServeNeedsUsers(addr),
    CliPublicRead(addr),
    CliServing(archive, url),
    CliReachable(addr),
    CliArchiveFolder(path),
    ReportTotal,
    ReportTotalFiles,
    ReportLegend(empty),
    ReportCode,
    ReportLevel,
    ReportSheet,
    ReportNoCounty,
    ErrNoCatalog(path),
    ErrEvidenceFolder(path, why),
    ErrNotAFolder(path),
    ErrBusy(path),
    ErrNotAPrefecture(value),
    ErrCatalogFormat(path, found, expected),
    CliShownOf(shown, total),
    CliFilesCount(n),
    SaidByFolder,
    SaidByFileName,
    SaidByCurator,
    FlagWhyGpsInOther(point, actual, edge_km, said_by, claimed, away_km),
    FlagWhyGpsOutsideQinghai(point, edge_km, said_by, claimed, away_km),
    FlagWhyDateBefore(date, source, start, end),
    FlagWhyDateAfter(date, source, start, end),
    FlagWhyDuplicate(hash, others, here),
    FlagWhyDuplicateMore(hash, others, more, here),
    FlagWhyEditor(software, editor),
    FlagWhyModifiedAfter(modified, captured, days, limit),
    FlagWhyModifiedBefore(modified, captured, days, limit),
    FlagWhyNoDatePhoto,
    FlagWhyNoDateVideo,
    FlagWhyNoDateMessenger,
    FlagWhyNoIndicator,
    FlagWhyNoIndicatorUnknownInList(row),
    FlagWhyUnreadable(problem),
    CliIndexed(new, changed, unchanged, missing, returned, errors, warnings),
    CliReadStats(files, mb, secs, per_s, mb_per_s, present, missing),
    CliFixity(verified, differ),
    CliFixityChanged(path, expected, actual),
    CliCountsHeading,
    CliSkipped(n),
    CliWarningsHeading(n),
    CliErrorsHeading(n),
    CliAndMore(n),

    // ---- security (helper: security)
    KeyExists(path),
    KeyPermissions(path),
    KeyUnreadable(path),
    KeyBadArgument(value),
    KeyNone(path),
    KeyCreated(path),
    KeyShow(fingerprint, hex, base64),
    SigUnsigned,
    SigMissing,
    SigSignerUnreadable(detail),
    SigSignedFileBad(file),
    SigBad(file),
    SigNotCovering(file, signed),
    SigUnchecked(fingerprint, signer, time),
    SigAuthenticated(fingerprint, signer, time),
    SigWrongKey(fingerprint, expected),
    VerifyNoTagManifest,
    ExportSignedBy(fingerprint),
    ExportUnsigned,
    ExportPageSigned(signer, fingerprint),
    ExportPageUnsigned,
    ExportReadme(title, date, n, signature),
    ExportReadmeSigned(signer, fingerprint),
    ExportReadmeUnsigned,
    ServeBusy(n, secs),

    // ---- near-duplicates (helper: similar)
    // ---- packages (helper: package)
    VerifyNotABag(missing, path),
    VerifyFoundInside(path),
    PkgRejected(n),
    PkgRejectedNone,
    PkgFingerprintHow,
    PkgSignerCompare(fingerprint),
    PkgUnzipFirst,
    PkgCheckButton,
    PkgCheckHelp,
    PkgChecking(done, total),
    PkgCheckOk(n, secs),
    PkgCheckBad(changed, missing, extra, secs),
    PkgChanged,
    PkgMissing,
    PkgExtra,
    PkgNoManifest,
    PkgUseSha512,
    PkgNoCrypto,
    PkgFingerprintIs(fp),
    PkgDecidedAuto,
    PkgDecidedManual,
    PkgTagPrefecture,
    PkgTagCounty,
    PkgTagIndicator,
    PkgCaptured,
    LedgerXlsxTitle(title),
    LedgerXlsxSubtitle(org, date, period),
    LedgerXlsxLegend,
    LedgerXlsxPeriodUnknown,
    // ---- ledger and layout (helper: ledger)
    LedgerDocTitle,
    LedgerDocTitleCounty(name),
    LedgerOffice(office),
    LedgerDate(date),
    LedgerPeriod(start, end),
    LedgerLegendFiles,
    LedgerLegendEmpty(empty),
    LedgerLegendRollup,
    LedgerPage(page, pages),
    LedgerDownloadXlsx,
    LedgerDownloadCsv,
    LedgerPrint,
    FacetsDrawer,
    FlagReusedPhoto,
    SimilarFingerprinting(n),
    SimilarHeading,
    SimilarScore,
    SimilarCropped,
    SimilarShowLine(path, score, how),
    FlagWhyReused(others, similarity, how, here),
    FlagWhyReusedMore(others, more, similarity, how, here),
    ReusedCropThere(pct),
    ReusedCropHere(pct),
    ReusedSizes(here, there),
    ReusedFormats(here, there),
    ReusedDateHereOnly,
    ReusedDateThereOnly,
    // ---- review flow (helper: review)
    AcceptSelected,
    RejectSelected,
    AcceptAllPending(n),
    AcceptAllPendingConfirm(n),
    ReviewDone(n, state),
    ReviewKeys,
    Select,
    ItemActions,
    Cancel,
    PrevItem,
    NextItem,
    BackToCollection(name),
    ItemOf(pos, total),
    ResultOf(pos, total),
    IndicatorPick,
    PlacePick,
    RetagConfirmTitle,
    RetagConfirmLead(name),
    RetagOld,
    RetagNew,
    RetagConfirm,
    NoValue,
    RetagUnknownIndicator(value),
    RetagAmbiguousIndicator(value, options),
    RetagUnknownPlace(value),
    RetagWrongLevel(value, kind),
    HistoryChange(what, old, new),
    HistoryCleared(what, old),
    HistoryReview,
    RetagNeedsReason,
    RejectNeedsReason,
    // ---- problem list (helper: problems)
    ProblemsBadRow(row, column, value, why),
    ProblemsWhyUnknownPlace,
    ProblemsWhyCountyElsewhere(prefecture),
    ProblemsWhyBadDeadline,
    ProblemsWhyNoYear,
    ProblemsWhyNoDescription,
    ProblemsWhyNoNumber,
    ProblemsWhyNoPrefecture,
    ProblemsWhyDuplicate(first),
    ProblemsRefused(file, n),
    ProblemsNoHeader(file, rows),
    ProblemsMissingColumn(file, header, field),
    ProblemsBadMap(map),
    ProblemsMapNoColumn(column),
    ProblemsUnreadable(file, detail),
    ProblemsUnknownFormat(file),
    ProblemsUnknownPlace(place),
    ProblemsNotFound(id),
    ProblemsNotLinked(id),
    ProblemsUnlinkVerified(id),
    ProblemsVerifyNeedsEvidence(id),
    ProblemsStatusSame(id, status),
    ProblemsStatusOpen,
    ProblemsStatusRectifying,
    ProblemsStatusRectified,
    ProblemsStatusVerified,
    ProblemsStatusWithdrawn,
    ProblemsImported(file, rows, created, updated, unchanged, withdrawn, restored, province),
    ProblemsLinked(n, id),
    ProblemsUnlinked(n, id),
    ProblemsStatusChanged(id, from, to),
    ProblemsBadAsOf(date),
    ProblemsProvinceWide,
    ProblemsOverdue,
    ProblemsColId,
    ProblemsColNumber,
    ProblemsColPlace,
    ProblemsColCategory,
    ProblemsColDeadline,
    ProblemsColStatus,
    ProblemsColEvidence,
    ProblemsColDescription,
    ProblemsLabelCounty,
    ProblemsLabelIndicators,
    ProblemsLabelMeasures,
    ProblemsLabelResponsible,
    ProblemsLabelProgress,
    ProblemsLabelRemark,
    ProblemsLabelSource,
    ProblemsLabelHistory,
    ProblemsSourceRow(file, row),
    ProblemsCount(n, overdue),
    ProblemsNoRows(file),
    ProblemsColAll,
    ProblemsColOpen,
    ProblemsColOverdue,
    ProblemsColRectified,
    ProblemsColVerified,
    ProblemsReportSubtotal,
    ProblemsReportTotal,
    ProblemsReportSummarySheet,
    ProblemsReportListSheet,
    ProblemsReportTitle(date),
    ProblemsReportWritten(path),
    NavProblems,
    ProblemsAsOf(date),
    ProblemsMatrixLegend,
    ProblemsShowAll,
    ProblemsNoEvidence,
    // ---- flag advice, flag resolution, ledger count, small fixes (helper: flagcheck)
    AdviceGps,
    AdviceDatePeriod,
    AdviceDuplicate,
    AdviceEdited,
    AdviceNoDateMessenger,
    AdviceNoDate,
    AdviceNoIndicator,
    AdviceUnreadable,
    AdviceReused,
    AdviceAiGenerated,
    WhatToDo,
    FlagStateChecked,
    FlagStateExplained,
    FlagResolvedLine(state, who, at, note),
    FlagMarkButton,
    FlagReopenButton,
    FlagNotePlaceholder,
    FlagReopenPlaceholder,
    FlagsResolvedCount(n),
    CliFlagResolved(flag, state, files, updated),
    CliFlagReopened(flag, files, updated),
    LedgerCountPeriod,
    LedgerCountAccepted,
    LedgerCountAll,
    LedgerCountIs(what),
    LedgerCountDefault,
    LedgerCountLabel,
    CliNameAmbiguous(name, collection, paths),
    CliArchiveRemembered(path),
    CliArchiveFromMemory(path),
    MediaSystemFile,
    // ---- index options
    CliFingerprintsPending(n),
    // ---- problem evidence from the record page
    ProblemPick,
    ProblemEvidenceNote,
    ProblemLinkButton,
    // ---- archive similar, authenticity signals (helper: similar2)
    SimilarNone(path),
    SimilarOf(path, n),
    SimilarScoreLine(score, distance),
    SimilarFiledLine(place, indicator, date, camera),
    SimilarDiffers(how),
    SimilarBytesOnly,
    SimilarNotFound(target, archive),
    SimilarNoFingerprint(path),
    SimilarCannotFingerprint(path, why),
    FlagAiGenerated,
    FlagWhyXmpEditor(tool, editor),
    FlagWhyPhotoshopResources(writer, editor),
    FlagWhyC2paEdited(actions),
    FlagWhyThumbDiffers(agreement),
    FlagWhyReencoded(quality, camera),
    FlagWhyAigcLabel(label, producer, id),
    FlagWhyC2paGenerative,
    SimilarThisOne,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn placeholders(s: &str) -> Vec<&str> {
        let mut out: Vec<&str> = s
            .split('{')
            .skip(1)
            .filter_map(|p| p.split_once('}').map(|(name, _)| name))
            .collect();
        out.sort();
        out
    }

    #[test]
    fn translations_use_only_the_declared_parameters() {
        for &m in Msg::ALL {
            let (zh, en) = (Lang::Zh.t(m), Lang::En.t(m));
            assert!(!zh.is_empty() && !en.is_empty(), "{}", m.code());
            for p in placeholders(zh).into_iter().chain(placeholders(en)) {
                assert!(m.params().contains(&p), "{} has no parameter {p}", m.code());
            }
            for p in m.params() {
                let used = placeholders(zh).contains(p) || placeholders(en).contains(p);
                assert!(used, "{}: no translation uses {p}", m.code());
            }
        }
    }

    #[test]
    fn no_message_holds_markup() {
        for &m in Msg::ALL {
            for l in [Lang::Zh, Lang::En] {
                assert!(!l.t(m).contains('<'), "{} {l:?}", m.code());
            }
        }
    }

    #[test]
    fn the_locale_decides_in_posix_order() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert_eq!(Lang::from_locale(env(&[("LANG", "zh_CN.UTF-8")])), Lang::Zh);
        assert_eq!(Lang::from_locale(env(&[("LANG", "en_US.UTF-8")])), Lang::En);
        assert_eq!(
            Lang::from_locale(env(&[("LC_ALL", "C"), ("LANG", "zh_CN.UTF-8")])),
            Lang::En
        );
        assert_eq!(
            Lang::from_locale(env(&[
                ("LC_ALL", ""),
                ("LC_MESSAGES", "zh_TW"),
                ("LANG", "C")
            ])),
            Lang::Zh
        );
        assert_eq!(Lang::from_locale(env(&[])), Lang::En);
        assert_eq!(Lang::parse("ZH-cn"), Some(Lang::Zh));
        assert_eq!(Lang::parse("en"), Some(Lang::En));
        assert_eq!(Lang::parse("fr"), None);
    }

    #[test]
    fn parameters_are_filled_by_name() {
        assert_eq!(
            Lang::En.fill(Msg::PageOf, &[("pages", &7), ("page", &2)]),
            "page 2 of 7"
        );
        assert_eq!(
            Lang::Zh.fill(Msg::PageOf, &[("page", &2), ("pages", &7)]),
            "第 2 / 7 页"
        );
        assert_eq!(Lang::Zh.around(Msg::ResultsTotal, "n"), ("共 ", " 个文件"));
        assert_eq!(Lang::En.around(Msg::ResultsTotal, "n"), ("", " files"));
    }
}
