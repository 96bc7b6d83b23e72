<#
.SYNOPSIS
  Installs roamtun's client-service (or server-service) to start with Windows and restart when it fails.

.DESCRIPTION
  Run from the unpacked roamtun tarball, in an elevated PowerShell:
    .\windows\install-service.ps1 -Agent client-service -Config C:\ProgramData\roamtun\client-service.properties
    .\windows\install-service.ps1 -Agent client-service -Uninstall

  A Java program cannot answer the Windows service control manager by itself, so the agent runs under the
  scheduled-task service of Windows: started at boot (server-service, as LocalService) or at logon
  (client-service, as the user, like the systemd user unit and the launchd agent), restarted every
  minute after a failure, stopped with the task. Logs go to -LogFile (rotated at 10 MB by the agent).
  Needs a Java 17 or newer runtime (JAVA_HOME, else java.exe on PATH). Not tested in roamtun's CI,
  which has no Windows machine.
#>
param(
  [Parameter(Mandatory = $true)][ValidateSet('client-service', 'server-service')][string]$Agent,
  [string]$Config,
  [string]$LogFile = "$env:ProgramData\roamtun\$Agent.log",
  [switch]$Uninstall
)
$ErrorActionPreference = 'Stop'
$task = "roamtun $Agent"

if ($Uninstall) {
  Stop-ScheduledTask -TaskName $task -ErrorAction SilentlyContinue
  Unregister-ScheduledTask -TaskName $task -Confirm:$false
  Write-Output "removed $task"
  exit 0
}
if (-not $Config) { throw "-Config FILE is required (see conf\$Agent.properties for a commented example)" }
if (-not (Test-Path $Config)) { throw "no such config file: $Config" }

$root = Split-Path -Parent $PSScriptRoot
$lib = Join-Path $root 'lib'
if (-not (Test-Path (Join-Path $lib 'roamtun-engine-*.jar'))) { throw "no roamtun jars in $lib: run this from the unpacked tarball" }

$java = if ($env:JAVA_HOME) { Join-Path $env:JAVA_HOME 'bin\java.exe' } else { (Get-Command java.exe -ErrorAction SilentlyContinue).Source }
if (-not $java -or -not (Test-Path $java)) { throw "no Java found: install a Java 17 or newer runtime, or set JAVA_HOME" }
$version = (& $java -version 2>&1 | Select-String -Pattern 'version "([0-9]+)' | ForEach-Object { $_.Matches[0].Groups[1].Value } | Select-Object -First 1)
if (-not $version -or [int]$version -lt 17) { throw "roamtun needs Java 17 or newer; $java is version '$version'" }

$main = if ($Agent -eq 'client-service') { 'io.roamtun.client.ClientServiceMain' } else { 'io.roamtun.server.ServerServiceMain' }
New-Item -ItemType Directory -Force -Path (Split-Path -Parent $LogFile) | Out-Null
$arguments = "-Xms32m -Xmx512m -XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError -cp `"$lib\*`" $main --config `"$Config`" --log-file `"$LogFile`""

$action = New-ScheduledTaskAction -Execute $java -Argument $arguments -WorkingDirectory $root
$settings = New-ScheduledTaskSettingsSet -RestartCount 9999 -RestartInterval (New-TimeSpan -Minutes 1) `
  -ExecutionTimeLimit ([TimeSpan]::Zero) -AllowStartIfOnBatteries -DontStopIfGoingOnBatteries -StartWhenAvailable
if ($Agent -eq 'server-service') {
  $trigger = New-ScheduledTaskTrigger -AtStartup
  $principal = New-ScheduledTaskPrincipal -UserId 'NT AUTHORITY\LOCALSERVICE' -LogonType ServiceAccount
} else {
  $trigger = New-ScheduledTaskTrigger -AtLogOn -User "$env:USERDOMAIN\$env:USERNAME"
  $principal = New-ScheduledTaskPrincipal -UserId "$env:USERDOMAIN\$env:USERNAME" -LogonType Interactive
}
Register-ScheduledTask -TaskName $task -Action $action -Trigger $trigger -Settings $settings -Principal $principal -Force | Out-Null
Start-ScheduledTask -TaskName $task
Write-Output "installed and started $task (logs: $LogFile)"
