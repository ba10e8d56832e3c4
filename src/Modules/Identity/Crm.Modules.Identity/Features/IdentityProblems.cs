using Crm.SharedKernel.Errors;

namespace Crm.Modules.Identity.Features;

/// <summary>Problems specific to identity and access, with stable types (listed in docs/modules/identity.md).</summary>
internal static class IdentityProblems
{
    public const string InvalidCredentialsType = ProblemTypes.BaseUri + "invalid-credentials";
    public const string AccountLockedType = ProblemTypes.BaseUri + "account-locked";
    public const string InvalidRefreshTokenType = ProblemTypes.BaseUri + "invalid-refresh-token";
    public const string EmailTakenType = ProblemTypes.BaseUri + "email-taken";
    public const string InvalidTeamParentType = ProblemTypes.BaseUri + "invalid-team-parent";
    public const string UnknownReferenceType = ProblemTypes.BaseUri + "unknown-reference";

    /// <summary>
    /// The same answer for an unknown email, a wrong password and a deactivated user. (A lockout does reveal,
    /// after five failures, that an account exists: the usual trade-off, as in ASP.NET Core Identity.)
    /// </summary>
    public static ProblemException InvalidCredentials() =>
        new(401, InvalidCredentialsType, "Invalid credentials", "The email or password is wrong, or the account is deactivated.");

    public static ProblemException AccountLocked(TimeSpan retryAfter) =>
        new(429, AccountLockedType, "Account locked", $"Too many failed sign-ins; try again in {Math.Ceiling(retryAfter.TotalMinutes)} minute(s).")
        {
            Headers = { ["Retry-After"] = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture) },
        };

    public static ProblemException InvalidRefreshToken() =>
        new(401, InvalidRefreshTokenType, "Invalid refresh token", "The refresh token is unknown, expired or already used; sign in again.");

    public static ConflictException EmailTaken(string email) =>
        new(EmailTakenType, "Email already in use", $"A user with the email '{email}' already exists.");

    public static BusinessRuleException UnknownReference(string what, Guid id) =>
        new(UnknownReferenceType, "Unknown reference", $"{what} '{id}' does not exist.");
}
