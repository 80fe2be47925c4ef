@echo off
rem Double-click: writes the sample evidence, indexes it and opens the search page.
rem The archive folder is Documents\archive-data (remembered: later commands find it).
rem Close this window (or press Ctrl+C) to stop the page.
cd /d "%~dp0"
rem Chinese messages unless the user chose otherwise (Windows sets no LANG).
if not defined ARCHIVE_LANG set ARCHIVE_LANG=zh
archive.exe --archive "%USERPROFILE%\Documents\archive-data" demo --evidence "%USERPROFILE%\Documents\archive-sample-evidence"
echo.
pause
