; spec_automation's Windows installer (Inno Setup 6): a per-user install, no administrator
; rights, into %LOCALAPPDATA%\Programs\spec_automation, with a start-menu entry, an optional
; desktop shortcut and an uninstaller (Settings > Apps). Your projects, settings and data stay
; when it is uninstalled.
;
; Build on Windows, from the repository root, after the bundle (dist\spec-automation\):
;   .venv\Scripts\pyinstaller --noconfirm --clean --distpath dist --workpath build\pyinstaller installer\spec-automation.spec
;   iscc /DAppVersion=0.1.0 installer\windows.iss
; AppVersion is pyproject.toml's version; the setup program is written to
; dist\spec-automation-VERSION-windows-x64-setup.exe. Paths below are relative to this file.

#ifndef AppVersion
  #error Give the version, pyproject.toml's: iscc /DAppVersion=0.1.0 installer\windows.iss
#endif

[Setup]
AppId={{6C1D7F3A-52B8-4E0B-9A47-3F5E2C8D9B14}
AppName=spec_automation
AppVersion={#AppVersion}
AppVerName=spec_automation {#AppVersion}
AppPublisher=spec_automation
DefaultDirName={autopf}\spec_automation
DefaultGroupName=spec_automation
DisableProgramGroupPage=yes
; Per user: {autopf} is %LOCALAPPDATA%\Programs and nothing asks for elevation.
PrivilegesRequired=lowest
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=..\dist
OutputBaseFilename=spec-automation-{#AppVersion}-windows-x64-setup
SetupIconFile=icons\spec-automation.ico
UninstallDisplayIcon={app}\spec-automation-gui.exe
UninstallDisplayName=spec_automation {#AppVersion}
Compression=lzma2
SolidCompression=yes
WizardStyle=modern

[Tasks]
Name: "desktopicon"; Description: "Create a desktop shortcut"; Flags: unchecked

[Files]
Source: "..\dist\spec-automation\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\spec_automation"; Filename: "{app}\spec-automation-gui.exe"; Comment: "Spec-driven development"
Name: "{autodesktop}\spec_automation"; Filename: "{app}\spec-automation-gui.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\spec-automation-gui.exe"; Description: "Start spec_automation"; Flags: nowait postinstall skipifsilent

