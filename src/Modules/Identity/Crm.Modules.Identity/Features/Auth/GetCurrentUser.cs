using Crm.Modules.Identity.Auth;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Identity.Data;
using Crm.Modules.Identity.Features.Users;
using Crm.SharedKernel.Errors;
using Crm.SharedKernel.Security;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Crm.Modules.Identity.Features.Auth;

/// <summary>The signed-in user and what they may do.</summary>
/// <param name="User">The user's profile.</param>
/// <param name="Permissions">Permissions their roles grant (<c>area:action</c>).</param>
internal sealed record CurrentUserResponse(UserResponse User, IReadOnlyList<string> Permissions);

internal sealed record GetCurrentUserRequest : IRequest<CurrentUserResponse>;

internal sealed class GetCurrentUserHandler(IdentityDbContext db, ICurrentActor actor) : IRequestHandler<GetCurrentUserRequest, CurrentUserResponse>
{
    private static readonly string[] KnownPermissions =
        [.. Permissions.ApiKeyScopes, Permissions.UsersWrite, Permissions.TeamsWrite, Permissions.ApiKeysManage];

    public async Task<CurrentUserResponse> Handle(GetCurrentUserRequest request, CancellationToken cancellationToken)
    {
        if (actor.Kind != HttpCurrentActor.UserKind || actor.Id is not { } id)
        {
            throw new NotFoundException("User", actor.Key);
        }

        var user = await db.Users.AsNoTracking().Where(u => u.Id == id).Select(UserProjection.ToResponse).SingleOrDefaultAsync(cancellationToken)
            ?? throw new NotFoundException("User", id);
        return new CurrentUserResponse(user, RolePermissions.Effective(user.Roles, KnownPermissions.Distinct()));
    }
}
