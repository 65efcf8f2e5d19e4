/** Explicit ratings as parallel arrays of user index, item index and rating. */
export interface RatingTriples {
  users: Int32Array;
  items: Int32Array;
  ratings: Float32Array;
}

/** A model that predicts the rating a user would give an item (explicit feedback). */
export interface RatingModel {
  readonly name: string;
  readonly params: Readonly<Record<string, unknown>>;
  fit(train: RatingTriples): void;
  /** Predicted rating, clipped to the training scale; unknown users or items fall back to biases. */
  predict(user: number, item: number): number;
  serialize(): Uint8Array;
}

export interface RatingModelFactory {
  readonly name: string;
  readonly description: string;
  readonly defaults: Readonly<Record<string, unknown>>;
  create(params?: Record<string, unknown>): RatingModel;
  deserialize(bytes: Uint8Array): RatingModel;
}

/** Number of distinct user and item indices a triple set spans (max index + 1). */
export function extent(t: RatingTriples): { users: number; items: number } {
  let users = 0;
  let items = 0;
  for (let k = 0; k < t.users.length; k++) {
    if ((t.users[k] as number) >= users) users = (t.users[k] as number) + 1;
    if ((t.items[k] as number) >= items) items = (t.items[k] as number) + 1;
  }
  return { users, items };
}
