using System.Globalization;

namespace Conformance.Harness.Browser;

/// <summary>Where the browser came from; <see cref="None"/> when nothing usable was found.</summary>
public enum BrowserSource
{
    None,

    /// <summary>The path in <c>CONFORMANCE_CHROMIUM</c> (or given on the command line).</summary>
    Explicit,

    /// <summary>A browser installed by Playwright's installer, in its cache or <c>PLAYWRIGHT_BROWSERS_PATH</c>.</summary>
    PlaywrightCache,

    /// <summary>A Chrome or Chromium installed on the machine (a package, an installer, an app bundle).</summary>
    System,
}

/// <summary>
/// The browser the run uses, or why there is none. <see cref="Reason"/> is short enough to repeat on each test;
/// <see cref="Message"/> is said once per run and ends with <see cref="Command"/>, the install command for this OS.
/// </summary>
public sealed record BrowserLocation(string? Path, BrowserSource Source, string Reason, string Message, string Command)
{
    public bool Found => Path is not null;

    /// <summary>How the source is named in messages: "CONFORMANCE_CHROMIUM", "Playwright cache" or "system".</summary>
    public string SourceName => Source switch
    {
        BrowserSource.Explicit => BrowserLocator.ChromiumVariable,
        BrowserSource.PlaywrightCache => "Playwright cache",
        BrowserSource.System => "system",
        _ => "none",
    };

    /// <summary>An explicit path that does not exist: a mistake to report, never a reason to install something else.</summary>
    public bool ExplicitMissing => Path is null && Source == BrowserSource.Explicit;
}

public enum BrowserOs
{
    Linux,
    MacOS,
    Windows,
}

/// <summary>
/// What the locator reads of the machine, as functions so tests can fake any OS, any file and any variable.
/// Paths are joined with the separator of <see cref="Os"/>, not of the machine the tests run on.
/// </summary>
public sealed record BrowserEnvironment
{
    public required BrowserOs Os { get; init; }

    public required Func<string, string?> Variable { get; init; }

    public required Func<string, bool> FileExists { get; init; }

    /// <summary>The names (not paths) of the folders inside a folder; empty when it does not exist.</summary>
    public required Func<string, IEnumerable<string>> FolderNames { get; init; }

    /// <summary>The user's home folder.</summary>
    public required string Home { get; init; }

    /// <summary>Playwright's driver package (<c>.playwright/package</c> next to Microsoft.Playwright.dll), where <c>PLAYWRIGHT_BROWSERS_PATH=0</c> puts browsers.</summary>
    public string? PlaywrightPackage { get; init; }

    /// <summary>The <c>ID</c> and <c>ID_LIKE</c> words of /etc/os-release ("debian", "ubuntu debian"); empty off Linux.</summary>
    public string LinuxIds { get; init; } = "";

    public bool IsDebian => Os == BrowserOs.Linux && HasId("debian") && !HasId("ubuntu");

    public bool IsUbuntu => Os == BrowserOs.Linux && HasId("ubuntu");

    public char Separator => Os == BrowserOs.Windows ? '\\' : '/';

    public string Join(params string[] parts) =>
        string.Join(Separator, parts.Select((p, i) => i == 0 ? p.TrimEnd('/', '\\') : p.Trim('/', '\\')));

    private bool HasId(string id) => LinuxIds.Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains(id, StringComparer.OrdinalIgnoreCase);

    /// <summary>This machine.</summary>
    public static BrowserEnvironment Current { get; } = new()
    {
        Os = OperatingSystem.IsWindows() ? BrowserOs.Windows : OperatingSystem.IsMacOS() ? BrowserOs.MacOS : BrowserOs.Linux,
        Variable = Environment.GetEnvironmentVariable,
        FileExists = File.Exists,
        FolderNames = folder => Directory.Exists(folder) ? Directory.EnumerateDirectories(folder).Select(System.IO.Path.GetFileName).OfType<string>() : [],
        Home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile),
        PlaywrightPackage = System.IO.Path.Combine(AppContext.BaseDirectory, ".playwright", "package"),
        LinuxIds = OperatingSystem.IsLinux() ? ReadLinuxIds("/etc/os-release") : "",
    };

    private static string ReadLinuxIds(string osRelease)
    {
        try
        {
            return string.Join(' ', File.ReadLines(osRelease)
                .Where(l => l.StartsWith("ID=", StringComparison.Ordinal) || l.StartsWith("ID_LIKE=", StringComparison.Ordinal))
                .Select(l => l[(l.IndexOf('=', StringComparison.Ordinal) + 1)..].Trim('"', '\'')));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }
}

/// <summary>
/// Finds the Chrome or Chromium that the browser login driver and the PDF printer launch, in this order:
/// <c>CONFORMANCE_CHROMIUM</c>; Playwright's own installed browser (its cache, or <c>PLAYWRIGHT_BROWSERS_PATH</c>);
/// a system Chrome or Chromium where each OS puts one. The one place that knows these paths.
/// </summary>
public sealed class BrowserLocator(BrowserEnvironment environment)
{
    public const string ChromiumVariable = "CONFORMANCE_CHROMIUM";
    public const string BrowsersPathVariable = "PLAYWRIGHT_BROWSERS_PATH";

    /// <summary>How a user installs Playwright's Chromium from the repository root without PowerShell (any OS).</summary>
    public const string DotnetInstallCommand = "dotnet run --project reports/Conformance.Reports -- browser install";

    public static BrowserLocator Default { get; } = new(BrowserEnvironment.Current);

    public BrowserEnvironment Environment => environment;

    public BrowserLocation Locate()
    {
        var command = InstallCommand();
        if (environment.Variable(ChromiumVariable) is { Length: > 0 } configured)
        {
            return Explicit(configured, ChromiumVariable);
        }

        var cache = PlaywrightCache();
        if (cache is not null && FromPlaywrightCache(cache) is { } installed)
        {
            return new BrowserLocation(installed, BrowserSource.PlaywrightCache, "", "", command);
        }

        var system = SystemCandidates();
        if (system.FirstOrDefault(environment.FileExists) is { } found)
        {
            return new BrowserLocation(found, BrowserSource.System, "", "", command);
        }

        const string none = "no Chrome or Chromium found";
        var looked = $"{ChromiumVariable} is unset; Playwright's cache {cache ?? "(none)"} holds no Chromium; none at {string.Join(", ", system)}";
        return new BrowserLocation(null, BrowserSource.None, none,
            $"{none} ({looked}). Browser flows are not applicable and the HTML review replaces the PDF. To install one, run: {command}", command);
    }

    /// <summary>A path the user gave (<c>CONFORMANCE_CHROMIUM</c>, <c>--chromium</c>): used as it is, or reported as missing, never replaced by another browser.</summary>
    /// <param name="path">The executable.</param>
    /// <param name="namedBy">How the user gave it, for the message: the variable or the option.</param>
    public BrowserLocation Explicit(string path, string namedBy = ChromiumVariable)
    {
        path = path.Trim();
        var command = InstallCommand();
        if (environment.FileExists(path))
        {
            return new BrowserLocation(path, BrowserSource.Explicit, "", "", command);
        }

        var reason = $"{namedBy} names {path}, which does not exist";
        return new BrowserLocation(null, BrowserSource.Explicit, reason,
            $"{reason}: point it at a Chrome or Chromium executable, or unset it to use Playwright's browser or the system's (to install one, run: {command})", command);
    }

    /// <summary>The folder Playwright's installer puts browsers in: PLAYWRIGHT_BROWSERS_PATH, else its per-OS cache.</summary>
    public string? PlaywrightCache()
    {
        var configured = environment.Variable(BrowsersPathVariable);
        if (configured == "0")
        {
            // Playwright's convention for "next to the driver": the package's .local-browsers folder.
            return environment.PlaywrightPackage is { } package ? environment.Join(package, ".local-browsers") : null;
        }

        if (!string.IsNullOrWhiteSpace(configured))
        {
            return configured.Trim();
        }

        return environment.Os switch
        {
            BrowserOs.Windows => environment.Join(environment.Variable("LOCALAPPDATA") is { Length: > 0 } local ? local : environment.Join(environment.Home, "AppData", "Local"), "ms-playwright"),
            BrowserOs.MacOS => environment.Join(environment.Home, "Library", "Caches", "ms-playwright"),
            _ => environment.Join(environment.Variable("XDG_CACHE_HOME") is { Length: > 0 } xdg ? xdg : environment.Join(environment.Home, ".cache"), "ms-playwright"),
        };
    }

    /// <summary>The newest full Chromium of the cache; its headless shell only when no full one is there (it prints PDFs and runs headless flows too).</summary>
    private string? FromPlaywrightCache(string cache)
    {
        var folders = environment.FolderNames(cache).ToList();
        foreach (var (prefix, layouts) in new[] { ("chromium-", ChromiumLayouts()), ("chromium_headless_shell-", HeadlessShellLayouts()) })
        {
            var revisions = folders
                .Where(f => f.StartsWith(prefix, StringComparison.Ordinal) && int.TryParse(f[prefix.Length..], NumberStyles.None, CultureInfo.InvariantCulture, out _))
                .OrderByDescending(f => int.Parse(f[prefix.Length..], NumberStyles.None, CultureInfo.InvariantCulture));
            foreach (var revision in revisions)
            {
                if (layouts.Select(l => environment.Join([cache, revision, .. l])).FirstOrDefault(environment.FileExists) is { } executable)
                {
                    return executable;
                }
            }
        }

        return null;
    }

    /// <summary>Where each Playwright release put the executable inside <c>chromium-REV</c>: Chrome for Testing layouts first, then the older Chromium builds.</summary>
    private string[][] ChromiumLayouts() => environment.Os switch
    {
        BrowserOs.Windows => [["chrome-win64", "chrome.exe"], ["chrome-win", "chrome.exe"]],
        BrowserOs.MacOS =>
        [
            ["chrome-mac-arm64", "Google Chrome for Testing.app", "Contents", "MacOS", "Google Chrome for Testing"],
            ["chrome-mac-x64", "Google Chrome for Testing.app", "Contents", "MacOS", "Google Chrome for Testing"],
            ["chrome-mac", "Chromium.app", "Contents", "MacOS", "Chromium"],
        ],
        _ => [["chrome-linux64", "chrome"], ["chrome-linux", "chrome"]],
    };

    private string[][] HeadlessShellLayouts() => environment.Os switch
    {
        BrowserOs.Windows => [["chrome-headless-shell-win64", "chrome-headless-shell.exe"], ["chrome-win", "headless_shell.exe"]],
        BrowserOs.MacOS =>
        [
            ["chrome-headless-shell-mac-arm64", "chrome-headless-shell"],
            ["chrome-headless-shell-mac-x64", "chrome-headless-shell"],
            ["chrome-mac", "headless_shell"],
        ],
        _ => [["chrome-headless-shell-linux64", "chrome-headless-shell"], ["chrome-linux", "headless_shell"]],
    };

    /// <summary>Where packages and installers put Chrome and Chromium on each OS, most specific first.</summary>
    public IReadOnlyList<string> SystemCandidates()
    {
        var e = environment;
        switch (e.Os)
        {
            case BrowserOs.Windows:
                var roots = new[] { e.Variable("ProgramFiles"), e.Variable("ProgramFiles(x86)"), e.Variable("LOCALAPPDATA") }.OfType<string>().Where(r => r.Length > 0).Distinct();
                return
                [
                    .. roots.Select(r => e.Join(r, "Google", "Chrome", "Application", "chrome.exe")),
                    .. e.Variable("LOCALAPPDATA") is { Length: > 0 } local ? [e.Join(local, "Chromium", "Application", "chrome.exe")] : Array.Empty<string>(),
                ];
            case BrowserOs.MacOS:
                return
                [
                    .. new[] { "/Applications", e.Join(e.Home, "Applications") }.SelectMany(apps => new[]
                    {
                        e.Join(apps, "Google Chrome.app", "Contents", "MacOS", "Google Chrome"),
                        e.Join(apps, "Chromium.app", "Contents", "MacOS", "Chromium"),
                    }),
                ];
            default:
                // Debian's package first (what CI installs); /usr/bin/chromium-browser is Ubuntu's name for it.
                return ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome", "/usr/bin/google-chrome-stable", "/opt/google/chrome/chrome"];
        }
    }

    /// <summary>The one command that installs a browser this locator will find, for the user's OS (run from the repository root).</summary>
    public string InstallCommand() => environment.Os switch
    {
        BrowserOs.Windows => @"pwsh scripts\install-chromium.ps1",
        BrowserOs.MacOS => "pwsh scripts/install-chromium.ps1 (without PowerShell: " + DotnetInstallCommand + ")",
        _ when environment.IsDebian => "sudo apt-get install -y chromium",
        _ => DotnetInstallCommand,
    };
}
