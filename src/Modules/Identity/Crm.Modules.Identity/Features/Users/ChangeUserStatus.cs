using Crm.Modules.Identity.Auth;
using Crm.Modules.Identity.Data;
using Crm.SharedKernel.Errors;
using Crm.SharedKernel.Security;
using Crm.SharedKernel.Time;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Crm.Modules.Identity.Features.Users;

/// <summary>Deactivate (sign-in and every issued token stop working; records and history stay) or reactivate a user.</summary>
internal sealed record ChangeUserStatusRequest(Guid Id, bool Active) : IRequest<VersionedUser>;

internal sealed class ChangeUserStatusHandler(IdentityDbContext db, UserStateCache userState, ICurrentActor actor, TimeProvider time)
    : IRequestHandler<ChangeUserStatusRequest, VersionedUser>
{
    private const string SelfDeactivationType = ProblemTypes.BaseUri + "cannot-deactivate-self";

    public async Task<VersionedUser> Handle(ChangeUserStatusRequest request, CancellationToken cancellationToken)
    {
        var user = await db.Users.SingleOrDefaultAsync(u => u.Id == request.Id, cancellationToken)
            ?? throw new NotFoundException("User", request.Id);
        if (!request.Active && actor.Id == user.Id)
        {
            throw new BusinessRuleException(SelfDeactivationType, "Cannot deactivate yourself", "An administrator cannot deactivate their own account.");
        }

        var now = time.UtcNow();
        if (request.Active && !user.Active)
        {
            user.Reactivate(now);
        }
        else if (!request.Active && user.Active)
        {
            user.Deactivate(now);
            await db.RefreshTokens
                .Where(t => t.UserId == user.Id && t.RevokedAt == null)
                .ExecuteUpdateAsync(set => set.SetProperty(t => t.RevokedAt, now), cancellationToken);
        }

        await db.SaveChangesAsync(cancellationToken);
        userState.Invalidate(user.Id);
        return new VersionedUser(UserProjection.From(user), user.Version);
    }
}
