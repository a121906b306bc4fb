#!/usr/bin/env pwsh
<#
.SYNOPSIS
  Builds the installable archive of edge-agent for one target (or all): trimmed, self-contained.

.DESCRIPTION
  Run from a fresh clone:   dotnet tool restore; dotnet pwsh publish.ps1 -Target x64
  Each archive artifacts/publish/edge-agent-<target>-<version>.tar.gz holds the agent and its
  native libraries, appsettings.json for the target, the model package for the target (when the
  agent's build output has one under models/), the systemd unit, install.sh, uninstall.sh and the
  operator's README. Any trim warning fails the build: the only accepted ones are suppressed, each
  with its reason, in src/EdgeAgent.Devices/ILLink.Suppressions.xml.

  Targets:
    x64       linux-x64,   ONNX Runtime CPU package
    x64-cuda  linux-x64,   ONNX Runtime GPU package (CUDA), plus a unit drop-in admitting the GPU
    pi        linux-arm64, ONNX Runtime CPU package, int8 model
    jetson    linux-arm64, ONNX Runtime managed API only: the device supplies JetPack's libonnxruntime.so
#>
[CmdletBinding()]
param(
    [ValidateSet('x64', 'x64-cuda', 'pi', 'jetson', 'all')]
    [string] $Target = 'x64',
    [string] $Version,
    [string] $OutputDirectory
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$root = $PSScriptRoot
if (-not $OutputDirectory) { $OutputDirectory = Join-Path $root 'artifacts/publish' }

$targets = [ordered]@{
    'x64'      = @{ Rid = 'linux-x64';   Flavor = 'Cpu';     Deploy = 'deploy-x64';    Settings = 'appsettings.x64.json';      Precision = @('fp32', 'fp16', 'int8'); DropIn = $null }
    'x64-cuda' = @{ Rid = 'linux-x64';   Flavor = 'Gpu';     Deploy = 'deploy-x64';    Settings = 'appsettings.x64-cuda.json'; Precision = @('fp16', 'fp32', 'int8'); DropIn = 'gpu.conf' }
    'pi'       = @{ Rid = 'linux-arm64'; Flavor = 'Cpu';     Deploy = 'deploy-pi';     Settings = 'appsettings.pi.json';       Precision = @('int8', 'fp32', 'fp16'); DropIn = $null }
    'jetson'   = @{ Rid = 'linux-arm64'; Flavor = 'Managed'; Deploy = 'deploy-jetson'; Settings = 'appsettings.jetson.json';   Precision = @('fp16', 'fp32', 'int8'); DropIn = $null }
}
$installRoot = '/opt/edge-agent/current'

function Get-ReleaseVersion {
    if ($Version) { return $Version }
    $sha = (& git -C $root rev-parse --short=8 HEAD 2>$null)
    if ($LASTEXITCODE -ne 0 -or -not $sha) { $sha = 'nogit' }
    $dirty = (& git -C $root status --porcelain 2>$null)
    $suffix = if ($dirty) { '-dirty' } else { '' }
    return "{0}-{1}{2}" -f (Get-Date -AsUTC -Format 'yyyy.MM.dd'), $sha, $suffix
}

# Overlays $overlay onto $base (both ordered hashtables from JSON): objects merge key by key, anything else replaces.
function Merge-Settings($base, $overlay) {
    foreach ($key in $overlay.Keys) {
        if ($base.Contains($key) -and $base[$key] -is [System.Collections.IDictionary] -and $overlay[$key] -is [System.Collections.IDictionary]) {
            Merge-Settings $base[$key] $overlay[$key]
        } else {
            $base[$key] = $overlay[$key]
        }
    }
}

# The model package under models/ whose manifest precision comes first in the target's preference.
function Select-ModelPackage([string] $modelsDir, [string[]] $preference) {
    if (-not (Test-Path $modelsDir)) { return $null }
    $packages = foreach ($dir in Get-ChildItem -Directory $modelsDir) {
        $manifest = Join-Path $dir.FullName 'manifest.json'
        if (-not (Test-Path $manifest) -or -not (Test-Path (Join-Path $dir.FullName 'model.onnx'))) { continue }
        $json = Get-Content -Raw $manifest | ConvertFrom-Json -AsHashtable
        $precision = if ($json.Contains('precision')) { $json['precision'] } else { 'fp32' }
        [pscustomobject]@{ Dir = $dir; Precision = $precision; Rank = [array]::IndexOf($preference, $precision) }
    }
    $packages | Where-Object Rank -ge 0 | Sort-Object Rank, { $_.Dir.Name } | Select-Object -First 1
}

function Format-Size([long] $bytes) { '{0,8:N1} MB' -f ($bytes / 1MB) }

function Get-TreeSize([string] $path) {
    if (-not (Test-Path $path)) { return 0 }
    (Get-ChildItem -Recurse -File $path | Measure-Object -Sum Length).Sum ?? 0
}

function Publish-Target([string] $name, [hashtable] $t, [string] $version) {
    $work = Join-Path $OutputDirectory "work/$name"
    $stageName = "edge-agent-$name-$version"
    $stage = Join-Path $work $stageName
    if (Test-Path $work) { Remove-Item -Recurse -Force $work }
    New-Item -ItemType Directory -Force $stage | Out-Null
    $log = Join-Path $OutputDirectory "$name.publish.log"

    Write-Host "==> $name ($($t.Rid), OnnxRuntimeFlavor=$($t.Flavor))"
    # A separate artifacts path per target: the ONNX Runtime flavour changes the restored packages.
    $publishArgs = @(
        'publish', (Join-Path $root 'src/EdgeAgent/EdgeAgent.csproj'),
        '-c', 'Release', '-r', $t.Rid, '--self-contained', 'true', '-nologo',
        '--artifacts-path', (Join-Path $OutputDirectory "obj/$name"),
        '-o', $stage,
        '-p:PublishTrimmed=true', '-p:TrimMode=full', '-p:TrimmerSingleWarn=false',
        "-p:OnnxRuntimeFlavor=$($t.Flavor)",
        '-p:DebugType=none', '-p:DebugSymbols=false', '-p:GenerateDocumentationFile=false'
    )
    & dotnet @publishArgs *> $log
    $exit = $LASTEXITCODE
    $trimWarnings = @(Select-String -Path $log -Pattern '(warning|error) IL\d{4}' | ForEach-Object { $_.Line.Trim() } | Sort-Object -Unique)
    if ($exit -ne 0) {
        Get-Content $log | Select-String -Pattern 'error|warning' | Select-Object -First 40 | ForEach-Object { Write-Host $_.Line }
        throw "dotnet publish failed for $name (exit $exit); full log: $log"
    }
    if ($trimWarnings.Count -gt 0) {
        $trimWarnings | ForEach-Object { Write-Host $_ }
        throw "$($trimWarnings.Count) trim warning(s) for ${name}: fix them or suppress each with a reason (see $log)"
    }

    # EdgeAgent.Onnx copies the ResNet18 backbone into the output; it stays: the agent joins it with the bundled
    # trained head (models/cnn-rnn-resnet18-phantoms) into its default model on first use (BundledModel).
    $backbones = Join-Path $stage 'backbones'
    if (Test-Path $backbones) {
        Write-Host ("    keeping backbones/ ({0}): the ResNet18 the bundled model is assembled with" -f (Format-Size (Get-TreeSize $backbones)).Trim())
    }

    # The ONNX Runtime GPU package also drops its Windows binaries (onnxruntime*.dll, about 217 MB) into
    # a linux publish. Linux cannot load them; the managed wrapper is Microsoft.ML.OnnxRuntime.dll, kept.
    $windowsNative = @(Get-ChildItem $stage -File -Filter 'onnxruntime*.dll')
    if ($windowsNative.Count -gt 0) {
        $bytes = ($windowsNative | Measure-Object -Sum Length).Sum
        Write-Host ("    leaving out {0} Windows ONNX Runtime binaries ({1})" -f $windowsNative.Count, (Format-Size $bytes).Trim())
        $windowsNative | Remove-Item -Force
    }

    # appsettings.json: the agent's own defaults (if it ships any) overlaid with the target's.
    $deploy = Join-Path $root $t.Deploy
    $settingsPath = Join-Path $stage 'appsettings.json'
    $settings = if (Test-Path $settingsPath) { Get-Content -Raw $settingsPath | ConvertFrom-Json -AsHashtable } else { [ordered]@{} }
    Merge-Settings $settings (Get-Content -Raw (Join-Path $deploy $t.Settings) | ConvertFrom-Json -AsHashtable)
    Get-ChildItem $stage -Filter 'appsettings.*.json' | Remove-Item -Force

    # Keep only the model package that suits the target.
    $modelsDir = Join-Path $stage 'models'
    $model = Select-ModelPackage $modelsDir $t.Precision
    if (Test-Path $modelsDir) {
        Get-ChildItem $modelsDir | Where-Object { -not $model -or $_.Name -ne $model.Dir.Name } | Remove-Item -Recurse -Force
    }
    if ($model) {
        if (-not $settings.Contains('Model')) { $settings['Model'] = [ordered]@{} }
        $settings['Model']['Path'] = "$installRoot/models/$($model.Dir.Name)"
    } else {
        Write-Host "    no ready model package under models/: the agent assembles the bundled trained model into its data directory at first start (or set Model:Path)"
    }
    $settings | ConvertTo-Json -Depth 16 | Set-Content -NoNewline $settingsPath

    foreach ($file in 'edge-agent.service', 'README.md', 'edge-agent.example.json') {
        Copy-Item (Join-Path $deploy $file) $stage
    }
    # One pair of install scripts serves every target; target.env tells them which one they install.
    foreach ($file in 'install.sh', 'uninstall.sh') {
        Copy-Item (Join-Path $root 'deploy-common' $file) $stage
    }
    if ($t.DropIn) { Copy-Item (Join-Path $deploy $t.DropIn) $stage }
    $arch = if ($t.Rid -eq 'linux-x64') { 'x86_64' } else { 'aarch64' }
    @(
        "TARGET=$name", "VERSION=$version", "ARCH=$arch",
        "DROPIN=$($t.DropIn ?? '')", "ONNXRUNTIME_FLAVOR=$($t.Flavor)"
    ) -join "`n" | Set-Content (Join-Path $stage 'target.env')
    if (-not $IsWindows) {
        & chmod 0755 (Join-Path $stage 'edge-agent') (Join-Path $stage 'install.sh') (Join-Path $stage 'uninstall.sh')
    }

    $archive = Join-Path $OutputDirectory "$stageName.tar.gz"
    if (Test-Path $archive) { Remove-Item -Force $archive }
    & tar -C $work -czf $archive $stageName
    if ($LASTEXITCODE -ne 0) { throw "tar failed for $name" }

    [pscustomobject]@{
        Target   = $name
        Archive  = (Get-Item $archive).Length
        Unpacked = Get-TreeSize $stage
        Native   = (Get-ChildItem $stage -File -Filter '*.so*' | Measure-Object -Sum Length).Sum ?? 0
        Managed  = (Get-ChildItem $stage -File -Filter '*.dll' | Measure-Object -Sum Length).Sum ?? 0
        Model    = if ($model) { Get-TreeSize $model.Dir.FullName } else { 0 }
        ModelName = if ($model) { "$($model.Dir.Name) ($($model.Precision))" } else { '(none)' }
        Path     = $archive
    }
}

$version = Get-ReleaseVersion
New-Item -ItemType Directory -Force $OutputDirectory | Out-Null
$selected = if ($Target -eq 'all') { @($targets.Keys) } else { @($Target) }
$report = foreach ($name in $selected) { Publish-Target $name $targets[$name] $version }

Write-Host ''
Write-Host "Size report (version $version; zero trim warnings)"
Write-Host ('{0,-9} {1,11} {2,11} {3,11} {4,11} {5,11}  {6}' -f 'target', 'archive', 'unpacked', 'native .so', 'managed', 'model', 'model package')
foreach ($r in $report) {
    Write-Host ('{0,-9} {1} {2} {3} {4} {5}  {6}' -f $r.Target, (Format-Size $r.Archive), (Format-Size $r.Unpacked),
        (Format-Size $r.Native), (Format-Size $r.Managed), (Format-Size $r.Model), $r.ModelName)
}
foreach ($r in $report) { Write-Host "  $($r.Path)" }
