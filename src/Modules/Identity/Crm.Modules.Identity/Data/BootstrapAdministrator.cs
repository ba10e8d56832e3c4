using Crm.Modules.Identity.Contracts;
using Crm.Modules.Identity.Domain;
using Crm.Modules.Identity.Features;
using Crm.SharedKernel.Hosting;
using Crm.SharedKernel.Time;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Crm.Modules.Identity.Data;

/// <summary>
/// Creates the first administrator from <c>CRM_BOOTSTRAP_ADMIN_EMAIL</c> and <c>CRM_BOOTSTRAP_ADMIN_PASSWORD</c>
/// when no user has that email yet; does nothing when they are not set or the user exists.
/// </summary>
internal sealed partial class BootstrapAdministrator(
    IdentityDbContext db,
    IPasswordHasher<User> hasher,
    IConfiguration configuration,
    TimeProvider time,
    ILogger<BootstrapAdministrator> logger) : IStartupTask
{
    public const string EmailKey = "CRM_BOOTSTRAP_ADMIN_EMAIL";
    public const string PasswordKey = "CRM_BOOTSTRAP_ADMIN_PASSWORD";

    public async Task RunAsync(CancellationToken ct)
    {
        var email = configuration[EmailKey];
        var password = configuration[PasswordKey];
        if (string.IsNullOrWhiteSpace(email) || string.IsNullOrEmpty(password))
        {
            return;
        }

        var normalized = User.Normalize(email);
        if (await db.Users.AnyAsync(u => u.NormalizedEmail == normalized, ct))
        {
            return;
        }

        if (password.Length is < PasswordRules.MinLength or > PasswordRules.MaxLength || !password.Any(char.IsLetter) || !password.Any(char.IsDigit))
        {
            throw new StartupException(
                $"{PasswordKey} must be {PasswordRules.MinLength} to {PasswordRules.MaxLength} characters with a letter and a digit.");
        }

        var now = time.UtcNow();
        var admin = User.Create(email, "Administrator", null, [Roles.Admin], null, null, now);
        admin.SetPasswordHash(hasher.HashPassword(admin, password), now);
        db.Users.Add(admin);
        await db.SaveChangesAsync(ct);
        LogCreated(logger, admin.Email);
    }

    [LoggerMessage(EventId = 7100, Level = LogLevel.Information, Message = "Created the bootstrap administrator {Email}")]
    private static partial void LogCreated(ILogger logger, string email);
}
