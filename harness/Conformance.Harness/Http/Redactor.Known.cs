using System.Buffers;
using System.Collections.Concurrent;
using System.Text;
using Conformance.Harness.Target;

namespace Conformance.Harness.Http;

/// <summary>
/// The values the redactor knows: credentials (masked in every form of <see cref="SecretForms"/>) and spent bearer
/// artefacts (tokens, codes, session tokens: replaced by their fingerprint, so two exchanges can still be matched).
/// Credentials are few and found with one multi-string search; artefacts grow with the run (thousands), so they are
/// found by a hash lookup of a fixed-length prefix at each place a token can start, not by one search per value.
/// </summary>
public sealed partial class Redactor
{
    /// <summary>Shorter values would mask ordinary text ("a", "1") and hide evidence; no real secret is that short.</summary>
    private const int MinimumSecretLength = 4;

    /// <summary>A value this long with two character classes is an artefact; shorter ones are masked like a credential.</summary>
    private const int MinimumArtefactLength = 16;

    private const int ArtefactKeyLength = 12;

    private readonly ConcurrentDictionary<string, byte> credentialForms = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string[]> artefactsByKey = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> artefactFingerprints = new(StringComparer.Ordinal);
    private volatile CredentialMatcher? matcher;

    /// <summary>A redactor that knows every secret of the profile, and each confidential client's HTTP Basic credentials.</summary>
    public static Redactor ForProfile(TargetProfile profile)
    {
        var redactor = new Redactor(profile.Secrets.Select(s => s.Reveal()));
        foreach (var client in profile.AllClients)
        {
            if (client.Secret is { } secret)
            {
                redactor.AddClientCredentials(client.ClientId, secret.Reveal());
            }
        }

        return redactor;
    }

    /// <summary>Masks this value wherever it appears from now on, in every form a server or a report may write it.</summary>
    public void AddSecret(string? value)
    {
        if (string.IsNullOrEmpty(value) || value.Length < MinimumSecretLength)
        {
            return;
        }

        AddCredentialForms(SecretForms.Of(value).Select(f => f.Text));
    }

    /// <summary>Masks the secret, and the HTTP Basic credential it makes with the client id in every encoding (RFC 6749 §2.3.1).</summary>
    public void AddClientCredentials(string clientId, string? secret)
    {
        if (string.IsNullOrEmpty(secret))
        {
            return;
        }

        AddSecret(secret);
        AddCredentialForms(SecretForms.OfBasicCredentials(clientId, secret).Select(f => f.Text));
    }

    /// <summary>
    /// A token, code or session token the harness received or sent: wherever it appears in text from now on it
    /// becomes its fingerprint. A JWT is left to the JWT pattern (same fingerprint); a short or low-entropy value
    /// is masked as a credential, since its fingerprint could be brute-forced and its text matches ordinary words.
    /// </summary>
    public void AddArtefact(string? value)
    {
        if (string.IsNullOrEmpty(value) || IsWholeJwt(value))
        {
            return;
        }

        if (value.Length < MinimumArtefactLength || CharacterClasses(value) < 2)
        {
            AddSecret(value);
            return;
        }

        var fingerprint = Fingerprint(value);
        foreach (var form in new[] { value, Uri.EscapeDataString(value) }.Distinct(StringComparer.Ordinal))
        {
            if (artefactFingerprints.TryAdd(form, fingerprint))
            {
                artefactsByKey.AddOrUpdate(form[..ArtefactKeyLength], [form],
                    (_, forms) => forms.Append(form).OrderByDescending(f => f.Length).ToArray());
            }
        }
    }

    private void AddCredentialForms(IEnumerable<string> forms)
    {
        var added = false;
        foreach (var form in forms)
        {
            if (form.Length >= MinimumSecretLength && credentialForms.TryAdd(form, 0))
            {
                added = true;
            }
        }

        if (added)
        {
            // Rebuilt by the next Text call; credentials are added at start-up and rarely after.
            matcher = null;
        }
    }

    private string MaskKnown(string text)
    {
        if (!credentialForms.IsEmpty)
        {
            text = (matcher ??= new CredentialMatcher(credentialForms.Keys)).Mask(text);
        }

        return artefactFingerprints.IsEmpty || text.Length < MinimumArtefactLength ? text : MaskArtefacts(text);
    }

    private string MaskArtefacts(string text)
    {
        var lookup = artefactsByKey.GetAlternateLookup<ReadOnlySpan<char>>();
        StringBuilder? result = null;
        var copied = 0;
        for (var i = 0; i + ArtefactKeyLength <= text.Length; i++)
        {
            if (!CanStartToken(text, i) || !lookup.TryGetValue(text.AsSpan(i, ArtefactKeyLength), out var forms))
            {
                continue;
            }

            foreach (var form in forms)
            {
                if (text.AsSpan(i).StartsWith(form, StringComparison.Ordinal))
                {
                    result ??= new StringBuilder(text.Length);
                    result.Append(text, copied, i - copied).Append(artefactFingerprints[form]);
                    copied = i + form.Length;
                    i = copied - 1;
                    break;
                }
            }
        }

        return result is null ? text : result.Append(text, copied, text.Length - copied).ToString();
    }

    /// <summary>
    /// A token starts after a character that cannot be part of it, or after an escape that encodes one: <c>%3D</c>
    /// (a URL- or form-encoded '=' in an echoed query) or a JSON <c>\u003D</c>.
    /// </summary>
    private static bool CanStartToken(string text, int i)
    {
        if (i == 0 || !IsTokenCharacter(text[i - 1]))
        {
            return true;
        }

        return (i >= 3 && text[i - 3] == '%' && char.IsAsciiHexDigit(text[i - 2]) && char.IsAsciiHexDigit(text[i - 1]))
            || (i >= 6 && text[i - 6] == '\\' && text[i - 5] == 'u');
    }

    private static bool IsTokenCharacter(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '~';

    private static int CharacterClasses(string value) =>
        (value.Any(char.IsAsciiLetterUpper) ? 1 : 0) + (value.Any(char.IsAsciiLetterLower) ? 1 : 0) + (value.Any(char.IsAsciiDigit) ? 1 : 0);

    private static bool IsWholeJwt(string value) => JwtPattern().Match(value) is { Success: true } m && m.Length == value.Length;

    /// <summary>Every credential form, found with one multi-string search; the longest form at a position wins.</summary>
    private sealed class CredentialMatcher
    {
        private readonly string[] forms;
        private readonly SearchValues<string> search;

        public CredentialMatcher(IEnumerable<string> forms)
        {
            this.forms = forms.OrderByDescending(f => f.Length).ThenBy(f => f, StringComparer.Ordinal).ToArray();
            search = SearchValues.Create(this.forms, StringComparison.Ordinal);
        }

        public string Mask(string text)
        {
            StringBuilder? result = null;
            var copied = 0;
            var from = 0;
            while (from < text.Length)
            {
                var found = text.AsSpan(from).IndexOfAny(search);
                if (found < 0)
                {
                    break;
                }

                var at = from + found;
                var form = Longest(text, at);
                // A numeric secret (a one-time code) inside a longer number (a timestamp, a port) is not that secret.
                if (form is null || (form.All(char.IsAsciiDigit) && (IsDigitAt(text, at - 1) || IsDigitAt(text, at + form.Length))))
                {
                    from = at + 1;
                    continue;
                }

                result ??= new StringBuilder(text.Length);
                result.Append(text, copied, at - copied).Append(Redactor.Mask);
                copied = from = at + form.Length;
            }

            return result is null ? text : result.Append(text, copied, text.Length - copied).ToString();
        }

        private string? Longest(string text, int at)
        {
            var rest = text.AsSpan(at);
            foreach (var form in forms)
            {
                if (rest.StartsWith(form, StringComparison.Ordinal))
                {
                    return form;
                }
            }

            return null;
        }

        private static bool IsDigitAt(string text, int i) => i >= 0 && i < text.Length && char.IsAsciiDigit(text[i]);
    }
}
