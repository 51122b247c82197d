using Conformance.Harness.Target;

namespace Conformance.Harness.Login;

/// <summary>
/// What one walk through the login pages has sent so far, and what a page seen again then means. The form and
/// browser drivers keep this one account, so when a page repeats a step the server already answered ("the user
/// was refused"), each driver decides it, and words it, the same way.
/// </summary>
internal sealed class LoginProgress(UserProfile? user)
{
    private bool credentialsSent;
    private bool identifierSent;
    private bool codeSent;

    /// <summary>How many consent, continue or logout-confirmation pages were accepted.</summary>
    public int Acceptances { get; private set; }

    /// <summary>
    /// True when the step a page of <paramref name="kind"/> asks for cannot be taken: it was taken already and the
    /// page came back (the server refused it), the one-time code has no secret to come from, or decision pages keep
    /// coming back. Only kinds the task acts on reach here, so a page asking for credentials has a user.
    /// </summary>
    public bool Stuck(LoginPageKind kind) => kind switch
    {
        LoginPageKind.Password => credentialsSent,
        LoginPageKind.OneTimeCode => user!.TotpSecret is null || codeSent,
        LoginPageKind.Identifier => identifierSent,
        _ => Acceptances >= LoginPageInterpreter.MaxAcceptances,
    };

    /// <summary>Why the flow ends at a page <see cref="Stuck"/> held; <paramref name="where"/> is "at URL (what the page shows)".</summary>
    public LoginFailedException Failure(LoginPageKind kind, string where) => new(kind switch
    {
        LoginPageKind.Password => $"the login page {where} was shown again after the credentials were sent: the user '{user!.Username}' was refused",
        LoginPageKind.OneTimeCode when user!.TotpSecret is null => $"the page {where} asks for a one-time code, but user '{user.Username}' has no totpSecret in the profile",
        LoginPageKind.OneTimeCode => $"the one-time code for '{user!.Username}' was refused {where}; check the TOTP secret and the clock",
        LoginPageKind.Identifier => $"the identifier page {where} was shown again after '{user!.Username}' was sent: the user was refused",
        _ => $"the page {where} came back after it was accepted {LoginPageInterpreter.MaxAcceptances} times",
    });

    /// <summary>Notes the step for a page of <paramref name="kind"/> as taken, before the driver takes it.</summary>
    public void Took(LoginPageKind kind)
    {
        switch (kind)
        {
            case LoginPageKind.Password:
                credentialsSent = true;
                break;
            case LoginPageKind.OneTimeCode:
                codeSent = true;
                break;
            case LoginPageKind.Identifier:
                identifierSent = true;
                break;
            default:
                Acceptances++;
                break;
        }
    }
}
