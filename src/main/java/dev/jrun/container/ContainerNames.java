package dev.jrun.container;

import dev.jrun.ids.RandomIds;

/** Names for containers started without --name: adjective_noun, as podman and Docker make them. */
final class ContainerNames {
    private static final String[] ADJECTIVES = {"admiring", "brave", "calm", "clever", "dazzling", "eager", "elated",
        "festive", "focused", "gallant", "happy", "hopeful", "jolly", "keen", "kind", "lucid", "modest", "nifty",
        "optimistic", "peaceful", "quirky", "relaxed", "serene", "sharp", "stoic", "tender", "upbeat", "vibrant",
        "wizardly", "zealous"};
    private static final String[] NOUNS = {"babbage", "bell", "curie", "darwin", "dijkstra", "einstein", "euler",
        "fermat", "franklin", "galileo", "goldberg", "hopper", "hypatia", "kepler", "knuth", "lamport", "liskov",
        "lovelace", "mccarthy", "meitner", "newton", "noether", "pascal", "ritchie", "shannon", "thompson", "turing",
        "villani", "wozniak", "yalow"};

    private ContainerNames() {}

    static String random() {
        int r = Integer.parseUnsignedInt(RandomIds.hex(4), 16) & Integer.MAX_VALUE;
        return ADJECTIVES[r % ADJECTIVES.length] + "_" + NOUNS[(r / ADJECTIVES.length) % NOUNS.length];
    }
}
