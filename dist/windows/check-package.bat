@echo off
rem Drop an evidence package (.zip or folder) on this file, or run:
rem   check-package.bat PACKAGE.zip [FINGERPRINT]
rem Exit 0 only when every file is intact (and, with a fingerprint, signed with that key).
cd /d "%~dp0"
rem Chinese messages unless the user chose otherwise (Windows sets no LANG).
if not defined ARCHIVE_LANG set ARCHIVE_LANG=zh
if "%~1"=="" (
  echo Drop a package ^(.zip or folder^) on check-package.bat, or run: check-package.bat PACKAGE.zip FINGERPRINT
  pause
  exit /b 64
)
if "%~2"=="" (
  archive.exe verify "%~1"
) else (
  archive.exe verify "%~1" --key "%~2"
)
set rc=%errorlevel%
echo.
pause
exit /b %rc%
