// Svelte 5 reads the TypeScript of <script lang="ts"> itself: no preprocessor needed.
export default {};
