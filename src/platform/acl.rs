//! Owner-only files on Windows: the equivalent of mode 0600/0700 is an access list (DACL) that
//! grants the user running the archive, and SYSTEM (backup, the file indexer and antivirus run
//! as it; the profile's own folders grant it too), full control and nobody else, *protected* so
//! that nothing is inherited from the folder above (a folder at `D:\` would otherwise pass on
//! "Authenticated Users: modify"). The Win32 security API is C, so this is the crate's only
//! `unsafe` code; every block says why it is sound. docs/platforms.md has what was checked.

#![allow(unsafe_code)]

use std::ffi::c_void;
use std::io;
use std::os::windows::ffi::OsStrExt;
use std::path::Path;
use std::ptr::{null, null_mut};

use windows_sys::Win32::Foundation::{
    CloseHandle, LocalFree, ERROR_SUCCESS, GENERIC_ALL, GENERIC_READ, HANDLE,
};
use windows_sys::Win32::Security::Authorization::{
    GetNamedSecurityInfoW, SetNamedSecurityInfoW, SE_FILE_OBJECT,
};
use windows_sys::Win32::Security::{
    AddAccessAllowedAceEx, CreateWellKnownSid, EqualSid, GetAce, GetLengthSid, GetTokenInformation,
    InitializeAcl, TokenUser, WinAnonymousSid, WinAuthenticatedUserSid, WinBuiltinGuestsSid,
    WinBuiltinUsersSid, WinInteractiveSid, WinLocalSystemSid, WinWorldSid, ACCESS_ALLOWED_ACE,
    ACE_HEADER, ACL, ACL_REVISION, CONTAINER_INHERIT_ACE, DACL_SECURITY_INFORMATION,
    INHERIT_ONLY_ACE, OBJECT_INHERIT_ACE, PROTECTED_DACL_SECURITY_INFORMATION,
    PSECURITY_DESCRIPTOR, SECURITY_MAX_SID_SIZE, TOKEN_QUERY, TOKEN_USER, WELL_KNOWN_SID_TYPE,
};
use windows_sys::Win32::Storage::FileSystem::{FILE_ALL_ACCESS, FILE_READ_DATA};
use windows_sys::Win32::System::SystemServices::ACCESS_ALLOWED_ACE_TYPE;
use windows_sys::Win32::System::Threading::{GetCurrentProcess, OpenProcessToken};

/// A SID in memory this module owns. `u64` words keep the alignment the API expects of a SID
/// (and of a `TOKEN_USER`, which holds a pointer).
struct Sid {
    /// Owns the memory `ptr` points into.
    _buf: Vec<u64>,
    /// Where in `buf` the SID starts (a `TOKEN_USER` keeps its SID after the header).
    ptr: *mut c_void,
}

impl Sid {
    /// A well-known group or account (Everyone, SYSTEM, …).
    fn well_known(kind: WELL_KNOWN_SID_TYPE) -> io::Result<Sid> {
        let mut buf = vec![0u64; (SECURITY_MAX_SID_SIZE as usize).div_ceil(8)];
        let mut size = SECURITY_MAX_SID_SIZE;
        let ptr = buf.as_mut_ptr().cast::<c_void>();
        // SAFETY: `ptr` points at `size` writable bytes (SECURITY_MAX_SID_SIZE, the largest a
        // SID can be); a null domain is what the API takes for groups outside a domain.
        if unsafe { CreateWellKnownSid(kind, null_mut(), ptr, &mut size) } == 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(Sid { _buf: buf, ptr })
    }

    /// The user this process runs as (its token's user).
    fn current_user() -> io::Result<Sid> {
        let mut token: HANDLE = null_mut();
        // SAFETY: GetCurrentProcess returns a pseudo-handle that needs no closing; `token` is a
        // valid place for the handle written back.
        if unsafe { OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &mut token) } == 0 {
            return Err(io::Error::last_os_error());
        }
        let mut len = 0u32;
        // SAFETY: a null buffer of length 0 asks only for the size needed (the call "fails"
        // with ERROR_INSUFFICIENT_BUFFER and writes `len`); `token` is open.
        unsafe { GetTokenInformation(token, TokenUser, null_mut(), 0, &mut len) };
        let mut buf = vec![0u64; (len as usize).div_ceil(8).max(1)];
        // SAFETY: `buf` has at least `len` writable bytes, aligned for TOKEN_USER; `token` is
        // open until the CloseHandle below, which runs whatever the result.
        let ok = unsafe {
            let ok = GetTokenInformation(token, TokenUser, buf.as_mut_ptr().cast(), len, &mut len);
            CloseHandle(token);
            ok
        };
        if ok == 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: the call succeeded, so `buf` starts with a TOKEN_USER whose SID pointer
        // points into `buf` itself (moving the Vec moves no heap memory, so it stays valid).
        let ptr = unsafe { (*buf.as_ptr().cast::<TOKEN_USER>()).User.Sid };
        Ok(Sid { _buf: buf, ptr })
    }

    fn len(&self) -> u32 {
        // SAFETY: `ptr` is a valid SID, written by the API into `_buf`, which lives as `self`.
        unsafe { GetLengthSid(self.ptr) }
    }

    fn is(&self, other: *mut c_void) -> bool {
        // SAFETY: both are valid SIDs: ours, and one read from an ACE of a live DACL.
        unsafe { EqualSid(self.ptr, other) != 0 }
    }
}

/// `path` as the NUL-terminated UTF-16 the API takes.
fn wide(path: &Path) -> Vec<u16> {
    path.as_os_str().encode_wide().chain([0]).collect()
}

/// Give `path` a protected DACL: the current user and SYSTEM, full control, nothing inherited.
/// A folder passes the same entries on to what is created in it.
pub fn restrict_to_owner(path: &Path, folder: bool) -> io::Result<()> {
    let user = Sid::current_user()?;
    let system = Sid::well_known(WinLocalSystemSid)?;
    let flags = if folder {
        OBJECT_INHERIT_ACE | CONTAINER_INHERIT_ACE
    } else {
        0
    };
    // An ACL's size: its header and, per ACE, the ACE's fixed part without the SID's first
    // word (`SidStart`), then the SID.
    let ace = size_of::<ACCESS_ALLOWED_ACE>() - size_of::<u32>();
    let size = size_of::<ACL>() + 2 * ace + (user.len() + system.len()) as usize;
    let mut acl = vec![0u32; size.div_ceil(4)];
    let acl_ptr = acl.as_mut_ptr().cast::<ACL>();
    let name = wide(path);
    // SAFETY: `acl` holds `size` writable bytes, DWORD-aligned as InitializeAcl requires, and
    // that size was computed for exactly these two ACEs; both SIDs are valid and live to the
    // end of the block; `name` is NUL-terminated. SetNamedSecurityInfoW copies the ACL.
    let code = unsafe {
        if InitializeAcl(acl_ptr, size as u32, ACL_REVISION) == 0
            || AddAccessAllowedAceEx(acl_ptr, ACL_REVISION, flags, FILE_ALL_ACCESS, user.ptr) == 0
            || AddAccessAllowedAceEx(acl_ptr, ACL_REVISION, flags, FILE_ALL_ACCESS, system.ptr) == 0
        {
            return Err(io::Error::last_os_error());
        }
        SetNamedSecurityInfoW(
            name.as_ptr(),
            SE_FILE_OBJECT,
            DACL_SECURITY_INFORMATION | PROTECTED_DACL_SECURITY_INFORMATION,
            null_mut(),
            null_mut(),
            acl_ptr,
            null(),
        )
    };
    if code == ERROR_SUCCESS {
        Ok(())
    } else {
        Err(io::Error::from_raw_os_error(code as i32))
    }
}

/// Whether the DACL of `path` lets a broad group read it: Everyone, Anonymous, Authenticated
/// Users, Users, Guests or Interactive (anyone who can sign in to the PC), or no DACL at all
/// (which Windows reads as "everyone, everything"). Grants to named people are not judged: an
/// office may share a key with a deputy on purpose. `false` when the list cannot be read.
pub fn broadly_readable(path: &Path) -> bool {
    let groups: Vec<Sid> = [
        WinWorldSid,
        WinAnonymousSid,
        WinAuthenticatedUserSid,
        WinBuiltinUsersSid,
        WinBuiltinGuestsSid,
        WinInteractiveSid,
    ]
    .into_iter()
    .filter_map(|k| Sid::well_known(k).ok())
    .collect();
    let name = wide(path);
    let mut dacl: *mut ACL = null_mut();
    let mut sd: PSECURITY_DESCRIPTOR = null_mut();
    // SAFETY: `name` is NUL-terminated; `dacl` and `sd` are valid places for the pointers
    // written back; the owner, group and SACL are not asked for.
    let code = unsafe {
        GetNamedSecurityInfoW(
            name.as_ptr(),
            SE_FILE_OBJECT,
            DACL_SECURITY_INFORMATION,
            null_mut(),
            null_mut(),
            &mut dacl,
            null_mut(),
            &mut sd,
        )
    };
    if code != ERROR_SUCCESS {
        return false;
    }
    let read = FILE_READ_DATA | GENERIC_READ | GENERIC_ALL;
    // SAFETY: on success `sd` is a security descriptor the API allocated, and `dacl` (when not
    // null) points into it; both stay valid until LocalFree, the last use. GetAce returns
    // pointers to ACEs inside `dacl`, each starting with an ACE_HEADER; an ACE of type
    // ACCESS_ALLOWED_ACE_TYPE has the ACCESS_ALLOWED_ACE layout, its SID starting at SidStart.
    unsafe {
        let broad = dacl.is_null()
            || (0..u32::from((*dacl).AceCount)).any(|i| {
                let mut ace: *mut c_void = null_mut();
                if GetAce(dacl, i, &mut ace) == 0 {
                    return false;
                }
                let header = &*ace.cast::<ACE_HEADER>();
                if u32::from(header.AceType) != ACCESS_ALLOWED_ACE_TYPE
                    || u32::from(header.AceFlags) & INHERIT_ONLY_ACE != 0
                {
                    return false;
                }
                let allowed = ace.cast::<ACCESS_ALLOWED_ACE>();
                let sid = std::ptr::addr_of_mut!((*allowed).SidStart).cast::<c_void>();
                (*allowed).Mask & read != 0 && groups.iter().any(|g| g.is(sid))
            });
        LocalFree(sd);
        broad
    }
}
