import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { QueryFailedError, Repository } from 'typeorm';
import { AppError, notFound } from '../common/errors/app-error';
import { PresenceService } from '../presence/presence.service';
import { UserStatusView, UserView } from './dto/user.view';
import { User } from './user.entity';

const UNIQUE_VIOLATION = '23505';

@Injectable()
export class UsersService {
  constructor(
    @InjectRepository(User) private readonly users: Repository<User>,
    private readonly presence: PresenceService,
  ) {}

  /** Insert a user, or throw CONFLICT naming the taken field; case is ignored for both. */
  async create(username: string, email: string, passwordHash: string): Promise<User> {
    const taken = await this.users
      .createQueryBuilder('user')
      .where('lower(user.username) = lower(:username)', { username })
      .orWhere('lower(user.email) = lower(:email)', { email })
      .getMany();
    if (taken.length > 0) throw this.conflict(taken, username);

    try {
      return await this.users.save(this.users.create({ username, email, passwordHash }));
    } catch (error) {
      if (error instanceof QueryFailedError && (error.driverError as { code?: string }).code === UNIQUE_VIOLATION) {
        throw new AppError('CONFLICT', 'username or email is already taken');
      }
      throw error;
    }
  }

  /** Find a user by username or email, ignoring case, with the password hash selected. */
  findForLogin(login: string): Promise<User | null> {
    return this.users
      .createQueryBuilder('user')
      .addSelect('user.passwordHash')
      .where('lower(user.username) = lower(:login) OR lower(user.email) = lower(:login)', { login })
      .getOne();
  }

  async get(userId: string): Promise<User> {
    const user = await this.users.findOneBy({ id: userId });
    if (!user) throw notFound('User');
    return user;
  }

  async exists(userId: string): Promise<boolean> {
    return this.users.existsBy({ id: userId });
  }

  async status(userId: string): Promise<UserStatusView> {
    const user = await this.get(userId);
    return this.presence.statusOf(user.id, user.lastSeenAt);
  }

  async toView(user: User): Promise<UserView> {
    const { status, lastSeen } = await this.presence.statusOf(user.id, user.lastSeenAt);
    return { id: user.id, username: user.username, email: user.email, status, lastSeen };
  }

  private conflict(taken: User[], username: string): AppError {
    const field = taken.some((user) => user.username.toLowerCase() === username.toLowerCase()) ? 'username' : 'email';
    return new AppError('CONFLICT', `${field} is already taken`, [{ field, constraints: [`${field} is already taken`] }]);
  }
}
