using Crm.Modules.Identity.Contracts;
using Crm.Modules.Identity.Data;
using FluentValidation;
using Microsoft.EntityFrameworkCore;

namespace Crm.Modules.Identity.Features.Users;

internal static class UserRules
{
    public static IRuleBuilderOptions<T, IReadOnlyList<string>> ValidRoles<T>(this IRuleBuilder<T, IReadOnlyList<string>> rule) => rule
        .NotEmpty().WithMessage("At least one role is required.")
        .Must(roles => roles is null || roles.All(Roles.All.Contains))
        .WithMessage($"Roles must be among: {string.Join(", ", Roles.All)}.");

    /// <summary>Team and manager must exist (other modules reference users, so a dangling id would spread).</summary>
    public static async Task EnsureReferencesExistAsync(IdentityDbContext db, Guid? teamId, Guid? managerId, Guid? self, CancellationToken ct)
    {
        if (teamId is { } team && !await db.Teams.AnyAsync(t => t.Id == team, ct))
        {
            throw IdentityProblems.UnknownReference("Team", team);
        }

        if (managerId is { } own && own == self)
        {
            throw Crm.SharedKernel.Errors.ValidationFailedException.For("managerId", "A user cannot be their own manager.");
        }

        if (managerId is { } manager && !await db.Users.AnyAsync(u => u.Id == manager, ct))
        {
            throw IdentityProblems.UnknownReference("Manager", manager);
        }
    }
}
