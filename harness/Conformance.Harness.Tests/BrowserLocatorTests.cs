using Conformance.Harness.Browser;

namespace Conformance.Harness.Tests;

/// <summary>
/// The browser resolution order (CONFORMANCE_CHROMIUM, Playwright's cache, the system) on fake machines: every file,
/// folder and variable is made up, so each OS is tested on any OS.
/// </summary>
public class BrowserLocatorTests
{
    /// <summary>A machine made of a set of files and a set of variables; folders are whatever the files imply.</summary>
    internal sealed class FakeMachine(BrowserOs os, string home, string linuxIds = "debian")
    {
        public HashSet<string> Files { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, string> Variables { get; } = new(StringComparer.Ordinal);

        public BrowserEnvironment Environment => new()
        {
            Os = os,
            Variable = name => Variables.GetValueOrDefault(name),
            FileExists = Files.Contains,
            FolderNames = FolderNames,
            Home = home,
            PlaywrightPackage = os == BrowserOs.Windows ? @"C:\repo\bin\.playwright\package" : "/repo/bin/.playwright/package",
            LinuxIds = os == BrowserOs.Linux ? linuxIds : "",
        };

        public BrowserLocator Locator => new(Environment);

        private IEnumerable<string> FolderNames(string folder)
        {
            var separator = os == BrowserOs.Windows ? '\\' : '/';
            var prefix = folder.TrimEnd(separator) + separator;
            return Files.Where(f => f.StartsWith(prefix, StringComparison.Ordinal))
                .Select(f => f[prefix.Length..])
                .Where(rest => rest.Contains(separator, StringComparison.Ordinal))
                .Select(rest => rest[..rest.IndexOf(separator, StringComparison.Ordinal)])
                .Distinct();
        }
    }

    private static FakeMachine Linux(string ids = "debian") => new(BrowserOs.Linux, "/home/dev", ids);

    private static FakeMachine Mac() => new(BrowserOs.MacOS, "/Users/dev");

    private static FakeMachine Windows()
    {
        var machine = new FakeMachine(BrowserOs.Windows, @"C:\Users\dev");
        machine.Variables["LOCALAPPDATA"] = @"C:\Users\dev\AppData\Local";
        machine.Variables["ProgramFiles"] = @"C:\Program Files";
        machine.Variables["ProgramFiles(x86)"] = @"C:\Program Files (x86)";
        return machine;
    }

    [Test]
    public void CONFORMANCE_CHROMIUM_wins_over_Playwright_and_the_system()
    {
        var machine = Linux();
        machine.Files.UnionWith(["/opt/my/chrome", "/home/dev/.cache/ms-playwright/chromium-1234/chrome-linux64/chrome", "/usr/bin/chromium"]);
        machine.Variables[BrowserLocator.ChromiumVariable] = "/opt/my/chrome";

        var found = machine.Locator.Locate();

        found.Path.Should().Be("/opt/my/chrome");
        found.Source.Should().Be(BrowserSource.Explicit);
        found.SourceName.Should().Be("CONFORMANCE_CHROMIUM");
    }

    [Test]
    public void A_CONFORMANCE_CHROMIUM_that_does_not_exist_is_reported_by_name_and_nothing_else_is_used()
    {
        var machine = Linux();
        machine.Files.Add("/usr/bin/chromium");
        machine.Variables[BrowserLocator.ChromiumVariable] = "/nonexistent";

        var found = machine.Locator.Locate();

        found.Found.Should().BeFalse();
        found.ExplicitMissing.Should().BeTrue();
        found.Reason.Should().Be("CONFORMANCE_CHROMIUM names /nonexistent, which does not exist");
        found.Message.Should().StartWith(found.Reason).And.Contain("sudo apt-get install -y chromium");
    }

    [Test]
    public void Playwright_cache_comes_before_the_system_browser_and_the_highest_revision_wins()
    {
        var machine = Linux();
        machine.Files.UnionWith(
        [
            "/home/dev/.cache/ms-playwright/chromium-1187/chrome-linux/chrome",
            "/home/dev/.cache/ms-playwright/chromium-1234/chrome-linux64/chrome",
            "/home/dev/.cache/ms-playwright/chromium-999/chrome-linux/chrome",
            "/home/dev/.cache/ms-playwright/chromium-tip-of-tree-1433/chrome-linux64/chrome",
            "/usr/bin/chromium",
        ]);

        var found = machine.Locator.Locate();

        found.Path.Should().Be("/home/dev/.cache/ms-playwright/chromium-1234/chrome-linux64/chrome");
        found.Source.Should().Be(BrowserSource.PlaywrightCache);
        found.SourceName.Should().Be("Playwright cache");
    }

    [Test]
    public void A_revision_folder_without_an_executable_is_skipped_for_the_next_one()
    {
        var machine = Linux();
        machine.Files.UnionWith(["/home/dev/.cache/ms-playwright/chromium-1300/INSTALLATION_COMPLETE", "/home/dev/.cache/ms-playwright/chromium-1200/chrome-linux/chrome"]);

        machine.Locator.Locate().Path.Should().Be("/home/dev/.cache/ms-playwright/chromium-1200/chrome-linux/chrome");
    }

    [Test]
    public void The_headless_shell_is_used_only_when_no_full_Chromium_is_cached()
    {
        var machine = Linux();
        machine.Files.Add("/home/dev/.cache/ms-playwright/chromium_headless_shell-1234/chrome-headless-shell-linux64/chrome-headless-shell");
        machine.Locator.Locate().Path.Should().EndWith("chrome-headless-shell");

        machine.Files.Add("/home/dev/.cache/ms-playwright/chromium-1100/chrome-linux/chrome");
        machine.Locator.Locate().Path.Should().Be("/home/dev/.cache/ms-playwright/chromium-1100/chrome-linux/chrome");
    }

    [Test]
    public void PLAYWRIGHT_BROWSERS_PATH_replaces_the_default_cache()
    {
        var machine = Linux();
        machine.Files.UnionWith(["/home/dev/.cache/ms-playwright/chromium-1234/chrome-linux64/chrome", "/srv/browsers/chromium-1200/chrome-linux64/chrome"]);
        machine.Variables[BrowserLocator.BrowsersPathVariable] = "/srv/browsers";

        machine.Locator.Locate().Path.Should().Be("/srv/browsers/chromium-1200/chrome-linux64/chrome");
    }

    [Test]
    public void PLAYWRIGHT_BROWSERS_PATH_0_means_the_driver_packages_own_folder()
    {
        var machine = Linux();
        machine.Files.Add("/repo/bin/.playwright/package/.local-browsers/chromium-1234/chrome-linux64/chrome");
        machine.Variables[BrowserLocator.BrowsersPathVariable] = "0";

        machine.Locator.Locate().Path.Should().Be("/repo/bin/.playwright/package/.local-browsers/chromium-1234/chrome-linux64/chrome");
    }

    [Test]
    public void XDG_CACHE_HOME_moves_the_Linux_cache_as_it_does_for_Playwright()
    {
        var machine = Linux();
        machine.Variables["XDG_CACHE_HOME"] = "/var/cache/dev";

        machine.Locator.PlaywrightCache().Should().Be("/var/cache/dev/ms-playwright");
    }

    [Test]
    public void Debians_chromium_is_the_first_system_browser_on_Linux_then_google_chrome()
    {
        var machine = Linux();
        machine.Files.Add("/usr/bin/google-chrome");
        machine.Locator.Locate().Should().Match<BrowserLocation>(l => l.Path == "/usr/bin/google-chrome" && l.Source == BrowserSource.System);

        machine.Files.Add("/usr/bin/chromium");
        machine.Locator.Locate().Path.Should().Be("/usr/bin/chromium");
    }

    [Test]
    public void Windows_uses_LOCALAPPDATA_for_Playwright_and_Program_Files_for_Chrome()
    {
        var machine = Windows();
        machine.Locator.PlaywrightCache().Should().Be(@"C:\Users\dev\AppData\Local\ms-playwright");

        machine.Files.Add(@"C:\Program Files (x86)\Google\Chrome\Application\chrome.exe");
        machine.Locator.Locate().Should().Match<BrowserLocation>(l => l.Path == @"C:\Program Files (x86)\Google\Chrome\Application\chrome.exe" && l.Source == BrowserSource.System);

        machine.Files.Add(@"C:\Users\dev\AppData\Local\ms-playwright\chromium-1234\chrome-win64\chrome.exe");
        machine.Locator.Locate().Path.Should().Be(@"C:\Users\dev\AppData\Local\ms-playwright\chromium-1234\chrome-win64\chrome.exe");
    }

    [Test]
    public void Windows_older_Playwright_layout_chrome_win_is_found()
    {
        var machine = Windows();
        machine.Files.Add(@"C:\Users\dev\AppData\Local\ms-playwright\chromium-1100\chrome-win\chrome.exe");

        machine.Locator.Locate().Path.Should().Be(@"C:\Users\dev\AppData\Local\ms-playwright\chromium-1100\chrome-win\chrome.exe");
    }

    [Test]
    public void MacOS_uses_Library_Caches_for_Playwright_and_Applications_for_Chrome()
    {
        var machine = Mac();
        machine.Locator.PlaywrightCache().Should().Be("/Users/dev/Library/Caches/ms-playwright");

        machine.Files.Add("/Applications/Google Chrome.app/Contents/MacOS/Google Chrome");
        machine.Locator.Locate().Source.Should().Be(BrowserSource.System);

        const string cached = "/Users/dev/Library/Caches/ms-playwright/chromium-1234/chrome-mac-arm64/Google Chrome for Testing.app/Contents/MacOS/Google Chrome for Testing";
        machine.Files.Add(cached);
        machine.Locator.Locate().Path.Should().Be(cached);
    }

    [Test]
    public void MacOS_older_Playwright_layout_Chromium_app_is_found()
    {
        var machine = Mac();
        machine.Files.Add("/Users/dev/Library/Caches/ms-playwright/chromium-1100/chrome-mac/Chromium.app/Contents/MacOS/Chromium");

        machine.Locator.Locate().Path.Should().EndWith("chrome-mac/Chromium.app/Contents/MacOS/Chromium");
    }

    [TestCase(BrowserOs.Linux, "debian", "sudo apt-get install -y chromium")]
    [TestCase(BrowserOs.Linux, "ubuntu debian", BrowserLocator.DotnetInstallCommand)]
    [TestCase(BrowserOs.Linux, "fedora", BrowserLocator.DotnetInstallCommand)]
    [TestCase(BrowserOs.MacOS, "", "pwsh scripts/install-chromium.ps1 (without PowerShell: " + BrowserLocator.DotnetInstallCommand + ")")]
    [TestCase(BrowserOs.Windows, "", @"pwsh scripts\install-chromium.ps1")]
    public void None_found_gives_one_message_with_the_command_for_the_OS(BrowserOs os, string ids, string command)
    {
        var machine = os == BrowserOs.Windows ? Windows() : new FakeMachine(os, "/home/dev", ids);

        var none = machine.Locator.Locate();

        none.Found.Should().BeFalse();
        none.Source.Should().Be(BrowserSource.None);
        none.Reason.Should().Be("no Chrome or Chromium found");
        none.Command.Should().Be(command);
        none.Message.Should().StartWith("no Chrome or Chromium found (CONFORMANCE_CHROMIUM is unset; Playwright's cache ")
            .And.Contain("Browser flows are not applicable and the HTML review replaces the PDF")
            .And.EndWith("To install one, run: " + command);
        none.Message.Should().NotContain("\n");
    }
}
